package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.SaslHandshakeResponse;

/**
 * SaslHandshake: on a SASL listener it names the mechanisms offered (OAUTHBEARER among them, as the
 * node has a JWKS) and accepts an enabled one; an
 * unknown mechanism is refused with the list and the connection closes; other APIs before
 * authentication close the connection; on a plaintext listener the answer is ILLEGAL_SASL_STATE.
 * After a v0 handshake the SASL tokens travel raw (before KIP-152; librdkafka requires v0 advertised):
 * a good PLAIN token gets an empty raw token back, a wrong one closes the connection.
 */
final class SaslHandshakeCase implements ApiCase {
  private static final List<String> OFFERED = SaslCases.OFFERED;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.SASL_HANDSHAKE;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    for (String mechanism : List.of("SCRAM-SHA-512", "OAUTHBEARER")) {
      try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
        SaslHandshakeResponse accepted = sasl.send(new SaslHandshakeRequestData().setMechanism(mechanism), version);
        assertEquals(Errors.NONE.code(), accepted.data().errorCode(), mechanism);
        assertEquals(OFFERED, accepted.data().mechanisms());
      }
    }
    if (version == 0) {
      try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
        assertEquals(Errors.NONE.code(), sasl.<SaslHandshakeResponse>send(new SaslHandshakeRequestData().setMechanism("PLAIN"), version)
            .data().errorCode());
        sasl.sendRaw(java.nio.ByteBuffer.wrap(SaslCases.plainToken(SaslCases.PLAIN_USER, SaslCases.PLAIN_PASSWORD)));
        assertEquals(0, sasl.receiveFrame().remaining(), "PLAIN's empty final token, raw");
        org.apache.kafka.common.requests.MetadataResponse metadata = sasl.send(new MetadataRequestData().setTopics(null), (short) 12);
        assertEquals(1, metadata.data().brokers().size());
      }
      try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
        sasl.send(new SaslHandshakeRequestData().setMechanism("PLAIN"), version);
        sasl.sendRaw(java.nio.ByteBuffer.wrap(SaslCases.plainToken(SaslCases.PLAIN_USER, "guess")));
        assertTrue(sasl.closedByPeer(), "a wrong raw token closes the connection");
      }
    }
    try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
      SaslHandshakeResponse refused = sasl.send(new SaslHandshakeRequestData().setMechanism("GSSAPI"), version);
      assertEquals(Errors.UNSUPPORTED_SASL_MECHANISM.code(), refused.data().errorCode());
      assertEquals(OFFERED, refused.data().mechanisms());
      assertTrue(sasl.closedByPeer(), "the connection closes after an unsupported mechanism");
    }
    try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
      ConformanceBroker.expectClosure("unexpected METADATA request before SASL authentication");
      sasl.sendRaw(metadataFrame());
      assertTrue(sasl.closedByPeer(), "Metadata before authentication closes the connection");
    }
    SaslHandshakeResponse plaintext = broker.send(new SaslHandshakeRequestData().setMechanism("PLAIN"), version);
    assertEquals(Errors.ILLEGAL_SASL_STATE.code(), plaintext.data().errorCode());
  }

  private static java.nio.ByteBuffer metadataFrame() {
    RequestHeader header = new RequestHeader(ApiKeys.METADATA, (short) 12, "conformance", 7);
    return RequestUtils.serialize(header.data(), header.headerVersion(), new MetadataRequestData().setTopics(null), (short) 12);
  }
}
