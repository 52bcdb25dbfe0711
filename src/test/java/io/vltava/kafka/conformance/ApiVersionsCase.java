package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  }
}
