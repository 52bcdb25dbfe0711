package io.vltava.kafka.conformance;

import java.util.List;

/** The table: one case per API key the node serves. */
final class ConformanceCases {
  private ConformanceCases() {}

  static List<ApiCase> all() {
    return List.of(
        new ApiVersionsCase(),
        new ListOffsetsCase(),
        new DescribeLogDirsCase(),
        new DescribeProducersCase(),
        new ElectLeadersCase(),
        new UpdateFeaturesCase());
  }
}
