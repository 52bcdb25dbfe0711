package io.vltava.http.console;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The console's window on the cluster, through the Kafka protocol: one Admin client and one
 * Consumer (for the message browser), both connected to this node's own Kafka listener, so the
 * console sees exactly what every Kafka tool sees. Both are long-lived; every call waits at most
 * the settings' call timeout and a browse reads at most their browse-max-records records for at
 * most their browse time. Failures are {@link ApiException}s. Thread-safe: the Admin client is, and a
 * browse holds the consumer's lock.
 */
final class KafkaView implements AutoCloseable {
  private static final Duration BROWSE_POLL = Duration.ofMillis(200);
  private static final Duration METADATA_RETRY_BACKOFF = Duration.ofMillis(100);
  /** The group list asks for the offsets and lag of at most this many groups. */
  private static final int MAX_GROUPS_LISTED = 200;

  private final Duration callTimeout;
  private final Duration browseTime;
  private final Admin admin;
  private final KafkaConsumer<byte[], byte[]> browser;

  record Cluster(String clusterId, int controllerId, List<ClusterNodes.Broker> brokers) {}

  record TopicSummary(String name, boolean internal, int partitions, int replicationFactor, int underReplicated,
                      long sizeBytes, long messages) {}

  /** {@code leader} is -1 without one; offsets and size are null when the node could not tell them. */
  record PartitionView(int partition, int leader, List<Integer> replicas, List<Integer> isr,
                       Long logStartOffset, Long endOffset, Long sizeBytes) {}

  record ConfigView(String name, String value, String source, boolean isDefault, boolean readOnly, boolean sensitive) {}

  record TopicDetail(String name, String topicId, boolean internal, List<PartitionView> partitions, List<ConfigView> configs) {}

  /** {@code totalLag} is null when the group has no committed offsets. */
  record GroupSummary(String groupId, String state, String protocol, int members, Long totalLag) {}

  /** {@code assignment} names partitions as topic-partition. */
  record MemberView(String memberId, String clientId, String host, List<String> assignment) {}

  record GroupDetail(String groupId, String state, String assignor, int coordinator, List<MemberView> members, LagTable lag) {}

  record HeaderView(String key, RecordText value) {}

  record BrowsedRecord(long offset, long timestampMs, String timestampType, RecordText key, RecordText value, List<HeaderView> headers) {}

  /** The partition's bounds when read, the offset the read started at and the records from there. */
  record Browsed(String topic, int partition, long logStartOffset, long endOffset, long startOffset, List<BrowsedRecord> records) {}

  KafkaView(String bootstrapServers, ConsoleSettings settings) {
    this.callTimeout = settings.callTimeout();
    this.browseTime = settings.browseTime();
    int requestTimeoutMs = (int) settings.requestTimeout().toMillis();
    Properties adminProps = new Properties();
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "vltava-console");
    adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMs);
    adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) callTimeout.toMillis());
    Properties consumerProps = new Properties();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "vltava-console-browser");
    consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerProps.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.browseMaxRecords());
    consumerProps.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 8 * 1024 * 1024);
    consumerProps.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) BROWSE_POLL.toMillis());
    consumerProps.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMs);
    consumerProps.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) callTimeout.toMillis());
    this.admin = Admin.create(adminProps);
    this.browser = new KafkaConsumer<>(consumerProps);
  }

  Cluster cluster() {
    DescribeClusterResult described = admin.describeCluster();
    Node controller = await(described.controller());
    List<ClusterNodes.Broker> brokers = await(described.nodes()).stream()
        .map(node -> new ClusterNodes.Broker(node.id(), node.host(), node.port())).toList();
    return new Cluster(await(described.clusterId()), controller == null || controller.isEmpty() ? -1 : controller.id(), brokers);
  }

  List<TopicSummary> topics() {
    Set<String> names = await(admin.listTopics(new ListTopicsOptions().listInternal(true)).names());
    if (names.isEmpty()) {
      return List.of();
    }
    // A topic deleted since it was listed is left out, not an error for the whole list.
    Map<String, TopicDescription> descriptions = new HashMap<>();
    admin.describeTopics(names).topicNameValues().forEach((name, future) -> {
      TopicDescription description = awaitOrNull(future);
      if (description != null) {
        descriptions.put(name, description);
      }
    });
    List<TopicPartition> partitions = new ArrayList<>();
    descriptions.values().forEach(topic -> topic.partitions().forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition()))));
    Map<TopicPartition, Long> starts = listOffsets(partitions, OffsetSpec.earliest(), false);
    Map<TopicPartition, Long> ends = listOffsets(partitions, OffsetSpec.latest(), false);
    Map<TopicPartition, Map<Integer, Long>> sizes = replicaSizes();
    List<TopicSummary> topics = new ArrayList<>();
    for (TopicDescription topic : descriptions.values()) {
      long size = 0;
      long messages = 0;
      int underReplicated = 0;
      for (TopicPartitionInfo partition : topic.partitions()) {
        TopicPartition tp = new TopicPartition(topic.name(), partition.partition());
        Long partitionSize = partitionSize(partition, sizes.get(tp));
        size += partitionSize == null ? 0 : partitionSize;
        if (starts.containsKey(tp) && ends.containsKey(tp)) {
          messages += ends.get(tp) - starts.get(tp);
        }
        underReplicated += partition.isr().size() < partition.replicas().size() ? 1 : 0;
      }
      int replicationFactor = topic.partitions().isEmpty() ? 0 : topic.partitions().get(0).replicas().size();
      topics.add(new TopicSummary(topic.name(), topic.isInternal(), topic.partitions().size(), replicationFactor, underReplicated, size, messages));
    }
    topics.sort(Comparator.comparing(TopicSummary::internal).thenComparing(TopicSummary::name));
    return topics;
  }

  TopicDetail topic(String name) {
    TopicDescription topic = await(admin.describeTopics(List.of(name)).allTopicNames()).get(name);
    List<TopicPartition> partitions = topic.partitions().stream().map(p -> new TopicPartition(name, p.partition())).toList();
    Map<TopicPartition, Long> starts = listOffsets(partitions, OffsetSpec.earliest(), false);
    Map<TopicPartition, Long> ends = listOffsets(partitions, OffsetSpec.latest(), false);
    Map<TopicPartition, Map<Integer, Long>> sizes = replicaSizes();
    List<PartitionView> views = new ArrayList<>();
    for (TopicPartitionInfo partition : topic.partitions()) {
      TopicPartition tp = new TopicPartition(name, partition.partition());
      views.add(new PartitionView(partition.partition(), partition.leader() == null ? -1 : partition.leader().id(),
          ids(partition.replicas()), ids(partition.isr()), starts.get(tp), ends.get(tp), partitionSize(partition, sizes.get(tp))));
    }
    return new TopicDetail(name, topic.topicId().toString(), topic.isInternal(), views, configs(name));
  }

  /**
   * Creates the topic and returns it as described. Brokers learn of a new topic one after another,
   * and the Admin client may ask any of them, so the description is retried until the answering
   * broker knows the topic (at most the call timeout), as Kafka's tools do.
   */
  TopicDetail createTopic(NewTopic topic) {
    await(admin.createTopics(List.of(topic)).all());
    return topicOnceKnown(topic.name(), callTimeout);
  }

  /**
   * The topic, asking again while the broker asked does not know it yet (for up to {@code wait}):
   * brokers learn of a new topic one after another, and the Admin asks any of them.
   */
  TopicDetail topicOnceKnown(String name, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try {
        return topic(name);
      } catch (ApiException e) {
        if (e.status() != 404 || System.nanoTime() > deadline) {
          throw e;
        }
      }
      try {
        Thread.sleep(METADATA_RETRY_BACKOFF.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ApiException(503, "the console is stopping");
      }
    }
  }

  void deleteTopic(String name) {
    await(admin.deleteTopics(List.of(name)).all());
  }

  List<ConfigView> alterTopicConfigs(String name, List<AlterConfigOp> changes) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
    await(admin.incrementalAlterConfigs(Map.of(resource, changes)).all());
    return configs(name);
  }

  List<GroupSummary> groups() {
    List<String> ids = await(admin.listGroups().all()).stream().map(GroupListing::groupId).sorted().limit(MAX_GROUPS_LISTED).toList();
    if (ids.isEmpty()) {
      return List.of();
    }
    Map<String, KafkaFuture<ConsumerGroupDescription>> described = admin.describeConsumerGroups(ids).describedGroups();
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    ids.forEach(id -> specs.put(id, new ListConsumerGroupOffsetsSpec()));
    var offsets = admin.listConsumerGroupOffsets(specs);
    Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
    Set<TopicPartition> partitions = new HashSet<>();
    for (String id : ids) {
      Map<TopicPartition, Long> groupOffsets = committedOffsets(awaitOrNull(offsets.partitionsToOffsetAndMetadata(id)));
      committed.put(id, groupOffsets);
      partitions.addAll(groupOffsets.keySet());
    }
    Map<TopicPartition, Long> ends = listOffsets(List.copyOf(partitions), OffsetSpec.latest(), false);
    List<GroupSummary> groups = new ArrayList<>();
    for (String id : ids) {
      ConsumerGroupDescription description = awaitOrNull(described.get(id));
      Map<TopicPartition, Long> groupOffsets = committed.get(id);
      Long lag = groupOffsets.isEmpty() ? null : LagTable.of(groupOffsets, ends, Map.of()).totalLag();
      groups.add(description == null
          ? new GroupSummary(id, "Unknown", "", 0, lag)
          : new GroupSummary(id, description.groupState().toString(), description.partitionAssignor(), description.members().size(), lag));
    }
    return groups;
  }

  GroupDetail group(String id) {
    ConsumerGroupDescription description = describeGroup(id);
    Map<TopicPartition, Long> committed = committedOffsets(await(admin.listConsumerGroupOffsets(id).partitionsToOffsetAndMetadata()));
    if (description.groupState() == GroupState.DEAD && committed.isEmpty()) {
      throw ApiException.notFound("no consumer group '" + id + "'");
    }
    Map<TopicPartition, String> owners = new HashMap<>();
    List<MemberView> members = new ArrayList<>();
    for (MemberDescription member : description.members()) {
      List<String> assignment = new ArrayList<>();
      for (TopicPartition partition : member.assignment().topicPartitions()) {
        owners.put(partition, member.clientId());
        assignment.add(partition.toString());
      }
      assignment.sort(null);
      members.add(new MemberView(member.consumerId(), member.clientId(), member.host(), assignment));
    }
    Set<TopicPartition> partitions = new HashSet<>(committed.keySet());
    partitions.addAll(owners.keySet());
    Map<TopicPartition, Long> ends = listOffsets(List.copyOf(partitions), OffsetSpec.latest(), false);
    return new GroupDetail(id, description.groupState().toString(), description.partitionAssignor(),
        description.coordinator() == null ? -1 : description.coordinator().id(), members, LagTable.of(committed, ends, owners));
  }

  /** Moves an empty group's committed offsets (see {@link OffsetReset}); a group with members is a 409. */
  GroupDetail resetOffsets(String id, OffsetReset reset) {
    ConsumerGroupDescription description = describeGroup(id);
    GroupState state = description.groupState();
    if (state != GroupState.EMPTY && state != GroupState.DEAD) {
      throw ApiException.conflict("group '" + id + "' is " + state + " with " + description.members().size()
          + " member(s): offsets can only be reset while it is empty; stop its consumers first");
    }
    Set<TopicPartition> committed = committedOffsets(await(admin.listConsumerGroupOffsets(id).partitionsToOffsetAndMetadata())).keySet();
    List<TopicPartition> partitions = committed.stream()
        .filter(partition -> reset.topic().map(partition.topic()::equals).orElse(true)).toList();
    if (partitions.isEmpty() && reset.topic().isPresent()) {
      String topic = reset.topic().get();
      partitions = await(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions().stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
    }
    if (partitions.isEmpty()) {
      throw ApiException.badRequest("group '" + id + "' has no committed offsets: name the topic to set them for");
    }
    Map<TopicPartition, Long> starts = listOffsets(partitions, OffsetSpec.earliest(), true);
    Map<TopicPartition, Long> ends = listOffsets(partitions, OffsetSpec.latest(), true);
    Map<TopicPartition, Long> atTimestamp = reset.to() == OffsetReset.Target.TIMESTAMP
        ? listOffsets(partitions, OffsetSpec.forTimestamp(reset.value()), true) : Map.of();
    Map<TopicPartition, OffsetAndMetadata> targets = new HashMap<>();
    for (TopicPartition partition : partitions) {
      targets.put(partition, new OffsetAndMetadata(
          reset.resolve(starts.get(partition), ends.get(partition), atTimestamp.getOrDefault(partition, -1L))));
    }
    await(admin.alterConsumerGroupOffsets(id, targets).all());
    return group(id);
  }

  /** Reads one partition as {@code query} says; holds the browsing consumer for at most the browse time plus a call timeout. */
  synchronized Browsed browse(BrowseQuery query) {
    List<PartitionInfo> partitions = browser.partitionsFor(query.topic(), callTimeout);
    if (partitions == null || partitions.isEmpty()) {
      throw ApiException.notFound("no topic '" + query.topic() + "'");
    }
    if (query.partition() >= partitions.size()) {
      throw ApiException.notFound("topic '" + query.topic() + "' has partitions 0 to " + (partitions.size() - 1) + ", not " + query.partition());
    }
    TopicPartition partition = new TopicPartition(query.topic(), query.partition());
    try {
      browser.assign(List.of(partition));
      long logStartOffset = browser.beginningOffsets(List.of(partition), callTimeout).get(partition);
      long endOffset = browser.endOffsets(List.of(partition), callTimeout).get(partition);
      long offsetAtTimestamp = endOffset;
      if (query.start() instanceof BrowseQuery.FromTimestamp from) {
        OffsetAndTimestamp found = browser.offsetsForTimes(Map.of(partition, from.timestampMs()), callTimeout).get(partition);
        offsetAtTimestamp = found == null ? endOffset : found.offset();
      }
      long startOffset = query.startOffset(logStartOffset, endOffset, offsetAtTimestamp);
      browser.seek(partition, startOffset);
      List<BrowsedRecord> records = new ArrayList<>();
      long deadline = System.nanoTime() + browseTime.toNanos();
      while (records.size() < query.limit() && browser.position(partition, callTimeout) < endOffset && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : browser.poll(BROWSE_POLL)) {
          if (records.size() < query.limit() && record.offset() < endOffset) {
            records.add(browsed(record));
          }
        }
      }
      return new Browsed(query.topic(), query.partition(), logStartOffset, endOffset, startOffset, records);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw ApiException.fromKafka(e);
    } finally {
      browser.assign(List.of());
    }
  }

  private static BrowsedRecord browsed(ConsumerRecord<byte[], byte[]> record) {
    List<HeaderView> headers = new ArrayList<>();
    for (Header header : record.headers()) {
      headers.add(new HeaderView(header.key(), RecordText.of(header.value())));
    }
    return new BrowsedRecord(record.offset(), record.timestamp(), record.timestampType().name, RecordText.of(record.key()),
        RecordText.of(record.value()), headers);
  }

  private ConsumerGroupDescription describeGroup(String id) {
    return await(admin.describeConsumerGroups(List.of(id)).describedGroups().get(id));
  }

  private List<ConfigView> configs(String topic) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = await(admin.describeConfigs(List.of(resource)).all()).get(resource);
    List<ConfigView> configs = new ArrayList<>();
    for (ConfigEntry entry : config.entries()) {
      configs.add(new ConfigView(entry.name(), entry.isSensitive() ? null : entry.value(), entry.source().name(), entry.isDefault(),
          entry.isReadOnly(), entry.isSensitive()));
    }
    configs.sort(Comparator.comparing(ConfigView::name));
    return configs;
  }

  /**
   * The offsets {@code spec} names for each partition; with {@code strict} any partition the node
   * cannot answer for fails the call, else it is left out.
   */
  private Map<TopicPartition, Long> listOffsets(Collection<TopicPartition> partitions, OffsetSpec spec, boolean strict) {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    partitions.forEach(partition -> specs.put(partition, spec));
    ListOffsetsResult result = admin.listOffsets(specs);
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (TopicPartition partition : partitions) {
      var info = strict ? await(result.partitionResult(partition)) : awaitOrNull(result.partitionResult(partition));
      if (info != null) {
        offsets.put(partition, info.offset());
      }
    }
    return offsets;
  }

  /** Every replica's size in bytes, by partition and broker; brokers that do not answer are left out. */
  private Map<TopicPartition, Map<Integer, Long>> replicaSizes() {
    List<Integer> brokerIds = cluster().brokers().stream().map(ClusterNodes.Broker::nodeId).toList();
    Map<TopicPartition, Map<Integer, Long>> sizes = new HashMap<>();
    admin.describeLogDirs(brokerIds).descriptions().forEach((brokerId, future) -> {
      Map<String, LogDirDescription> dirs = awaitOrNull(future);
      if (dirs != null) {
        dirs.values().forEach(dir -> dir.replicaInfos().forEach((partition, replica) ->
            sizes.computeIfAbsent(partition, p -> new HashMap<>()).put(brokerId, replica.size())));
      }
    });
    return sizes;
  }

  /** The leader's replica size, else the largest any replica reports; null when none does. */
  private static Long partitionSize(TopicPartitionInfo partition, Map<Integer, Long> replicaSizes) {
    if (replicaSizes == null || replicaSizes.isEmpty()) {
      return null;
    }
    if (partition.leader() != null && replicaSizes.containsKey(partition.leader().id())) {
      return replicaSizes.get(partition.leader().id());
    }
    return replicaSizes.values().stream().max(Long::compare).orElse(null);
  }

  private static Map<TopicPartition, Long> committedOffsets(Map<TopicPartition, OffsetAndMetadata> offsets) {
    Map<TopicPartition, Long> committed = new HashMap<>();
    if (offsets != null) {
      offsets.forEach((partition, offset) -> {
        if (offset != null && offset.offset() >= 0) {
          committed.put(partition, offset.offset());
        }
      });
    }
    return committed;
  }

  private static List<Integer> ids(List<Node> nodes) {
    return nodes.stream().map(Node::id).toList();
  }

  private <T> T await(KafkaFuture<T> future) {
    try {
      // A little longer than the client's own limit, so that its error, which names what timed out, is the one reported.
      return future.get(callTimeout.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw ApiException.fromKafka(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new ApiException(504, "the node did not answer within " + callTimeout.plusSeconds(5).toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "the console is stopping");
    }
  }

  /** The value, or null when the call failed: for parts of a page that may be missing. */
  private <T> T awaitOrNull(KafkaFuture<T> future) {
    try {
      return await(future);
    } catch (ApiException e) {
      return null;
    }
  }

  @Override
  public synchronized void close() {
    admin.close(Duration.ofSeconds(5));
    browser.close(CloseOptions.timeout(Duration.ofSeconds(5)));
  }
}
