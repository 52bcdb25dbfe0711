package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopicCollection;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeLogDirsResponse;

/**
 * DescribeLogDirs as {@code kafka-log-dirs} asks it (all topics) and as a client naming partitions
 * does: the node's data dir, each partition's real size on disk; unknown topics and partitions absent;
 * total and usable bytes from v4.
 */
final class DescribeLogDirsCase implements ApiCase {
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_LOG_DIRS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("log-dirs", 2);
      broker.produce(topic, 1, 7, 1_700_000_000_000L);
    }
    Path dataDir = broker.node().settings().dataDir().toAbsolutePath().normalize();

    DescribeLogDirsResult all = only(broker.send(new DescribeLogDirsRequestData().setTopics(null), version));
    assertEquals(dataDir.toString(), all.logDir());
    assertEquals(Errors.NONE.code(), all.errorCode());
    DescribeLogDirsTopic described = all.topics().stream().filter(t -> t.name().equals(topic)).findFirst().orElseThrow();
    assertEquals(List.of(0, 1), described.partitions().stream().map(DescribeLogDirsPartition::partitionIndex).toList());
    for (DescribeLogDirsPartition partition : described.partitions()) {
      assertEquals(segmentBytes(dataDir.resolve(topic + "-" + partition.partitionIndex())), partition.partitionSize());
      assertEquals(0, partition.offsetLag(), "a leader never lags");
      assertFalse(partition.isFutureKey());
    }
    assertTrue(described.partitions().get(1).partitionSize() > described.partitions().get(0).partitionSize());
    if (version >= 4) {
      assertTrue(all.totalBytes() > 0 && all.usableBytes() > 0 && all.usableBytes() <= all.totalBytes(),
          all.totalBytes() + " / " + all.usableBytes());
    } else {
      assertEquals(-1, all.totalBytes());
      assertEquals(-1, all.usableBytes());
    }

    DescribableLogDirTopicCollection asked = new DescribableLogDirTopicCollection();
    asked.add(new DescribableLogDirTopic().setTopic(topic).setPartitions(List.of(1, 5)));
    asked.add(new DescribableLogDirTopic().setTopic("no-such-topic").setPartitions(List.of(0)));
    DescribeLogDirsResult some = only(broker.send(new DescribeLogDirsRequestData().setTopics(asked), version));
    assertEquals(1, some.topics().size(), "the unknown topic is simply absent");
    assertEquals(topic, some.topics().get(0).name());
    assertEquals(List.of(1), some.topics().get(0).partitions().stream().map(DescribeLogDirsPartition::partitionIndex).toList());
  }

  private static DescribeLogDirsResult only(DescribeLogDirsResponse response) {
    assertEquals(Errors.NONE.code(), response.data().errorCode());
    assertEquals(1, response.data().results().size(), "one log dir: the node's data dir");
    DescribeLogDirsResult result = response.data().results().get(0);
    assertNotNull(result.logDir());
    return result;
  }

  private static long segmentBytes(Path partitionDir) throws Exception {
    try (Stream<Path> files = Files.list(partitionDir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".log")).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
