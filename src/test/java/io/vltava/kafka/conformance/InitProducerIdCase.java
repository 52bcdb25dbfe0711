package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdResponse;

/**
 * InitProducerId for idempotent producers: a new id at epoch 0 for every call, also for a
 * producer that asks again with its old id and epoch (v3+); a producer id without an epoch is an
 * invalid request; transactional ids are refused, as transactions are not implemented (an empty
 * one is an invalid request, as in Kafka).
 */
final class InitProducerIdCase implements ApiCase {
  private static final short FIRST_VERSION_WITH_PRODUCER_ID = 3;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.INIT_PRODUCER_ID;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    InitProducerIdResponseData first = assertNewId(init(broker, version, new InitProducerIdRequestData().setTransactionalId(null)));
    InitProducerIdResponseData second = assertNewId(init(broker, version, new InitProducerIdRequestData().setTransactionalId(null)));
    assertNotEquals(first.producerId(), second.producerId(), "every idempotent producer gets its own id");

    if (version >= FIRST_VERSION_WITH_PRODUCER_ID) {
      InitProducerIdResponseData again = assertNewId(init(broker, version, new InitProducerIdRequestData().setTransactionalId(null)
          .setProducerId(second.producerId()).setProducerEpoch(second.producerEpoch())));
      assertNotEquals(second.producerId(), again.producerId());
      assertRefused(init(broker, version, new InitProducerIdRequestData().setTransactionalId(null).setProducerId(second.producerId())),
          Errors.INVALID_REQUEST);
    }
    assertRefused(init(broker, version, new InitProducerIdRequestData().setTransactionalId("orders-tx")),
        Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    assertRefused(init(broker, version, new InitProducerIdRequestData().setTransactionalId("")), Errors.INVALID_REQUEST);
  }

  private static InitProducerIdResponseData init(ConformanceBroker broker, short version, InitProducerIdRequestData request)
      throws Exception {
    InitProducerIdResponse response = broker.send(request.setTransactionTimeoutMs(60_000), version);
    return response.data();
  }

  private static InitProducerIdResponseData assertNewId(InitProducerIdResponseData answer) {
    assertEquals(Errors.NONE, Errors.forCode(answer.errorCode()), "error");
    assertTrue(answer.producerId() >= 0, "producer id " + answer.producerId());
    assertEquals(0, answer.producerEpoch(), "producer epoch");
    return answer;
  }

  private static void assertRefused(InitProducerIdResponseData answer, Errors error) {
    assertEquals(error, Errors.forCode(answer.errorCode()), "error");
    assertEquals(-1, answer.producerId(), "producer id");
    assertEquals(-1, answer.producerEpoch(), "producer epoch");
  }
}
