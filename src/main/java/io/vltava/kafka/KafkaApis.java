package io.vltava.kafka;

import java.util.List;

/** The APIs a broker serves: one handler per API key. ApiVersions is added by {@link ApiHandlers}. */
public final class KafkaApis {
  private KafkaApis() {}

  /** {@code defaultPartitions}: a new topic's partition count when its request leaves it to the broker (num.partitions). */
  public static List<ApiHandler> handlers(BrokerServices broker, FetchSessionCache fetchSessions, int defaultPartitions) {
    ClientThrottling throttling = new ClientThrottling(broker);
    return throttling.wrap(List.of(
        new MetadataHandler(broker),
        new ProduceHandler(broker),
        new FetchHandler(broker, fetchSessions, throttling),
        new ListOffsetsHandler(broker),
        new CreateTopicsHandler(broker, throttling, defaultPartitions),
        new DeleteTopicsHandler(broker, throttling),
        new CreatePartitionsHandler(broker, throttling),
        new DescribeConfigsHandler(broker),
        new AlterConfigsHandler(broker),
        new IncrementalAlterConfigsHandler(broker),
        new DeleteRecordsHandler(broker),
        new InitProducerIdHandler(broker),
        new DescribeClusterHandler(broker),
        new OffsetForLeaderEpochHandler(broker),
        new FindCoordinatorHandler(broker),
        new JoinGroupHandler(broker),
        new SyncGroupHandler(broker),
        new HeartbeatHandler(broker),
        new LeaveGroupHandler(broker),
        new OffsetCommitHandler(broker),
        new OffsetFetchHandler(broker),
        new ListGroupsHandler(broker),
        new DescribeGroupsHandler(broker),
        new DeleteGroupsHandler(broker),
        new OffsetDeleteHandler(broker),
        new AlterPartitionReassignmentsHandler(broker),
        new ListPartitionReassignmentsHandler(broker),
        new DescribeLogDirsHandler(broker),
        new UpdateFeaturesHandler(broker),
        new ElectLeadersHandler(broker),
        new DescribeProducersHandler(broker),
        new AlterUserScramCredentialsHandler(broker),
        new DescribeUserScramCredentialsHandler(broker),
        new CreateAclsHandler(broker),
        new DescribeAclsHandler(broker),
        new DeleteAclsHandler(broker),
        new DescribeClientQuotasHandler(broker),
        new AlterClientQuotasHandler(broker)));
  }
}
