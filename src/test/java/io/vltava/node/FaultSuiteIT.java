package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fault suite's short run (bench/faults/run.sh: kills, pauses, partitions and kill sequences
 * against three jar processes under an idempotent acks=all producer), run by its own failsafe
 * execution (tag {@code fault}) after {@code package}. Needs root, iptables and cgroup2 (.ci/run
 * installs iptables).
 */
@Tag("fault")
class FaultSuiteIT {
  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void noAcknowledgedRecordIsLostDuplicatedOrReorderedAndReplicasEndIdentical() throws IOException, InterruptedException {
    Process run = new ProcessBuilder("bench/faults/run.sh", "--seed", "42").redirectErrorStream(true).start();
    String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int status = run.waitFor();
    System.out.println(output);
    assertTrue(output.contains("acknowledged but lost 0\n"), output);
    assertTrue(output.contains("duplicated 0\n"), output);
    assertTrue(output.contains("reordered 0, acknowledged at another offset than read 0\n"), output);
    assertTrue(output.contains("replicas byte-identical: yes"), output);
    assertTrue(output.contains("agreed: members=1,2,3"), output);
    assertEquals(0, status, output);
  }
}
