package io.vltava.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.requests.FetchResponse;

/** A Fetch response's records read back as text, for tests that assert on what a fetch returned. */
public final class FetchedValues {
  private FetchedValues() {}

  /** The record values of each partition of the topic the response carries, each of which must carry no error. */
  public static Map<TopicPartition, List<String>> byPartition(FetchResponse response, Uuid topicId, String topicName,
      short version) {
    Map<TopicPartition, List<String>> values = new HashMap<>();
    response.responseData(Map.of(topicId, topicName), version).forEach((partition, data) -> {
      assertEquals(Errors.NONE.code(), data.errorCode(), partition + " has no error");
      List<String> records = new ArrayList<>();
      for (Record record : FetchResponse.recordsOrFail(data).records()) {
        records.add(StandardCharsets.UTF_8.decode(record.value()).toString());
      }
      values.put(partition, records);
    });
    return values;
  }
}
