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
        new ApiVersionsCase(),
        new DeleteRecordsCase(),
        new InitProducerIdCase(),
        new OffsetForLeaderEpochCase(),
        new DescribeClusterCase());
  }
}
