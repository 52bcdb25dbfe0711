package io.vltava.kafka.conformance;

import java.util.List;

/** The table: one case per API key the node serves. */
final class ConformanceCases {
  private ConformanceCases() {}

  static List<ApiCase> all() {
    return List.of(
        new ApiVersionsCase(),
        new ListOffsetsCase(),
        new CreateTopicsCase(),
        new DeleteTopicsCase(),
        new DescribeConfigsCase(),
        new AlterConfigsCase(),
        new DescribeLogDirsCase(),
        new CreatePartitionsCase(),
        new ElectLeadersCase(),
        new IncrementalAlterConfigsCase(),
        new UpdateFeaturesCase(),
        new DescribeProducersCase());
  }
}
