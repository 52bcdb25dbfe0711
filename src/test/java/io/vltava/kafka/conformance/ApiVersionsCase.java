package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;

/** ApiVersions: the same advertised ranges at every version; v3+ checks the client's software name. */
final class ApiVersionsCase implements ApiCase {

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.API_VERSIONS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    ApiVersionsRequestData request = new ApiVersionsRequestData();
    if (version >= 3) {
      request.setClientSoftwareName("librdkafka").setClientSoftwareVersion("2.0.2");
    }
    ApiVersionsResponse response = broker.send(request, version);
    assertEquals(Errors.NONE.code(), response.data().errorCode());
    ApiVersionsResponseData.ApiVersion produce = response.data().apiKeys().find(ApiKeys.PRODUCE.id);
    assertNotNull(produce, "Produce is advertised");
    // librdkafka enables compression only when Produce is advertised from v0.
    assertEquals(0, produce.minVersion());
    ApiVersionsResponseData.ApiVersion apiVersions = response.data().apiKeys().find(ApiKeys.API_VERSIONS.id);
    assertEquals(4, apiVersions.maxVersion());
    if (version >= 3) {
      ApiVersionsResponse invalid = broker.send(new ApiVersionsRequestData()
          .setClientSoftwareName("bad name!").setClientSoftwareVersion("1"), version);
      assertEquals(Errors.INVALID_REQUEST.code(), invalid.data().errorCode());
    }
    assertTrue(response.data().apiKeys().size() > 20, "every served API is listed");
    assertFeatures(response.data(), version);
  }

  /**
   * From v3, the supported and finalized features: metadata.version 4.3-IV0 (level 30), the others
   * Kafka knows at 0, which v3 cannot tell from "absent" and so leaves out (KAFKA-17011).
   */
  private static void assertFeatures(ApiVersionsResponseData data, short version) {
    List<String> supported = data.supportedFeatures().stream()
        .map(f -> f.name() + " " + f.minVersion() + "-" + f.maxVersion()).sorted().toList();
    List<String> finalized = data.finalizedFeatures().stream()
        .map(f -> f.name() + " " + f.minVersionLevel() + "-" + f.maxVersionLevel()).toList();
    if (version < 3) {
      assertEquals(List.of(), supported);
      assertEquals(-1, data.finalizedFeaturesEpoch());
      return;
    }
    assertEquals(version == 3 ? List.of("metadata.version 30-30")
        : List.of("eligible.leader.replicas.version 0-0", "group.version 0-0", "metadata.version 30-30",
            "share.version 0-0", "streams.version 0-0", "transaction.version 0-0"), supported);
    assertEquals(List.of("metadata.version 30-30"), finalized);
    assertEquals(0, data.finalizedFeaturesEpoch());
  }
}
