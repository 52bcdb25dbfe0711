package io.vltava.bench;

import io.vltava.metadata.PartitionState;
import io.vltava.testkit.VltavaCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Follower catch-up rate: with one follower's replication paused, a 3-node cluster takes MiB of
 * acks=1 writes; then the follower resumes and the time until its log end equals the leader's gives
 * the MB/s replication moves over the broker-to-broker Fetch path.
 */
public final class CatchUpBenchmark {
  public static void main(String[] args) throws Exception {
    int mebibytes = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    Path dir = Files.createTempDirectory("vltava-catchup");
    try (VltavaCluster cluster = VltavaCluster.start(3, dir, Map.of("vltava.replication.replica.lag.time.max.ms", 600_000))) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("catch-up", 1, (short) 3))).all().get();
      }
      TopicPartition partition = new TopicPartition("catch-up", 0);
      PartitionState state = cluster.awaitFullIsr("catch-up").topic("catch-up").orElseThrow().partitions().get(0);
      int leader = state.leader();
      int follower = state.replicas().stream().filter(id -> id != leader).findFirst().orElseThrow();
      cluster.node(follower).pauseReplication(true);

      Properties props = new Properties();
      props.put("bootstrap.servers", cluster.bootstrapServers());
      props.put("acks", "1");
      props.put("linger.ms", "5");
      props.put("batch.size", String.valueOf(256 * 1024));
      props.put("key.serializer", ByteArraySerializer.class.getName());
      props.put("value.serializer", ByteArraySerializer.class.getName());
      byte[] value = new byte[1024];
      long started = System.nanoTime();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
        for (int i = 0; i < mebibytes * 1024; i++) {
          producer.send(new ProducerRecord<>("catch-up", 0, null, value));
        }
        producer.flush();
      }
      double produceSeconds = (System.nanoTime() - started) / 1e9;
      long leaderEnd = cluster.node(leader).localReplica(partition).orElseThrow().log().logEndOffset();
      long behind = cluster.node(follower).localReplica(partition).orElseThrow().log().logEndOffset();

      long resumed = System.nanoTime();
      cluster.node(follower).pauseReplication(false);
      while (cluster.node(follower).localReplica(partition).orElseThrow().log().logEndOffset() < leaderEnd) {
        Thread.sleep(5); // polling the follower's log end; the benchmark measures, it does not synchronise
      }
      double catchUpSeconds = (System.nanoTime() - resumed) / 1e9;
      System.out.printf("| records behind | MiB | produce (acks=1) MB/s | follower catch-up MB/s |%n|---|---|---|---|%n");
      System.out.printf("| %d | %d | %.0f | %.0f |%n", leaderEnd - behind, mebibytes,
          mebibytes * 1.048576 / produceSeconds, mebibytes * 1.048576 / catchUpSeconds);
    }
  }
}
