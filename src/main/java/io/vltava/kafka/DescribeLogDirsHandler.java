package io.vltava.kafka;

import io.vltava.replica.LocalReplica;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.apache.kafka.common.requests.DescribeLogDirsResponse;

/**
 * DescribeLogDirs ({@code kafka-log-dirs --describe}): the node's data directory is its one log
 * dir, listing each partition replica it holds with its size in bytes and offset lag, and, from v4,
 * the file system's total and usable bytes. Partitions of unknown topics, or not held here, are
 * simply absent, as in Kafka. While any replica's log is offline after an I/O error, the dir is
 * answered with KAFKA_STORAGE_ERROR, as Kafka answers an offline log dir, and the offline replicas
 * are left out (Kafka lists nothing of an offline dir; the healthy replicas here still work). Sizes are read from the segments' published sizes, so it does not
 * block on the log writers; the file-system query runs on the log I/O executor.
 */
final class DescribeLogDirsHandler implements ApiHandler {
  private final BrokerServices broker;

  DescribeLogDirsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_LOG_DIRS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorizedOnCluster(context, AclOperation.DESCRIBE)) {
      return BrokerServices.refused(request, Errors.CLUSTER_AUTHORIZATION_FAILED);
    }
    DescribeLogDirsRequestData data = ((DescribeLogDirsRequest) request).data();
    short version = context.apiVersion();
    return CompletableFuture.supplyAsync(() -> new DescribeLogDirsResponse(new DescribeLogDirsResponseData()
        .setResults(List.of(logDir(data, version)))), broker.replicas().ioExecutor());
  }

  private DescribeLogDirsResult logDir(DescribeLogDirsRequestData data, short version) {
    Path dir = broker.replicas().dataDir().toAbsolutePath().normalize();
    DescribeLogDirsResult result = new DescribeLogDirsResult().setLogDir(dir.toString()).setErrorCode(Errors.NONE.code());
    Map<String, DescribeLogDirsTopic> topics = new TreeMap<>();
    for (LocalReplica replica : broker.replicas().localReplicas()) {
      TopicPartition partition = replica.topicPartition();
      if (replica.storageError() != null) {
        result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
      } else if (requested(data, partition)) {
        topics.computeIfAbsent(partition.topic(), name -> new DescribeLogDirsTopic().setName(name)).partitions()
            .add(new DescribeLogDirsPartition()
                .setPartitionIndex(partition.partition())
                .setPartitionSize(replica.sizeBytes())
                .setOffsetLag(replica.logEndOffsetLag())
                .setIsFutureKey(false));
      }
    }
    topics.values().forEach(topic -> topic.partitions().sort(Comparator.comparingInt(DescribeLogDirsPartition::partitionIndex)));
    result.setTopics(new ArrayList<>(topics.values()));
    if (version >= 4) {
      try {
        FileStore store = Files.getFileStore(dir);
        result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
      } catch (IOException e) {
        result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
      }
    }
    return result;
  }

  /** A null topic list asks for every partition. */
  private static boolean requested(DescribeLogDirsRequestData data, TopicPartition partition) {
    if (data.topics() == null) {
      return true;
    }
    DescribeLogDirsRequestData.DescribableLogDirTopic topic = data.topics().find(partition.topic());
    return topic != null && topic.partitions().contains(partition.partition());
  }
}
