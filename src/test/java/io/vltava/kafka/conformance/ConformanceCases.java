package io.vltava.kafka.conformance;

import java.util.List;

/** The table: one case per API key the node serves. */
final class ConformanceCases {
  private ConformanceCases() {}

  static List<ApiCase> all() {
    return List.of(
        new ProduceCase(),
        new FetchCase(),
        new ListOffsetsCase(),
        new MetadataCase(),
        new OffsetCommitCase(),
        new OffsetFetchCase(),
        new FindCoordinatorCase(),
        new JoinGroupCase(),
        new HeartbeatCase(),
        new LeaveGroupCase(),
        new SyncGroupCase(),
        new DescribeGroupsCase(),
        new ListGroupsCase(),
        new ApiVersionsCase(),
        new CreateTopicsCase(),
        new DeleteTopicsCase(),
        new DeleteRecordsCase(),
        new InitProducerIdCase(),
        new OffsetForLeaderEpochCase(),
        new DescribeConfigsCase(),
        new AlterConfigsCase(),
        new DescribeLogDirsCase(),
        new CreatePartitionsCase(),
        new DeleteGroupsCase(),
        new ElectLeadersCase(),
        new IncrementalAlterConfigsCase(),
        new OffsetDeleteCase(),
        new UpdateFeaturesCase(),
        new DescribeClusterCase(),
        new DescribeProducersCase(),
        new AlterPartitionReassignmentsCase(),
        new ListPartitionReassignmentsCase(),
        new SaslHandshakeCase(),
        new SaslAuthenticateCase(),
        new AlterUserScramCredentialsCase(),
        new DescribeUserScramCredentialsCase(),
        new CreateAclsCase(),
        new DescribeAclsCase(),
        new DeleteAclsCase(),
        new DescribeClientQuotasCase(),
        new AlterClientQuotasCase());
  }
}
