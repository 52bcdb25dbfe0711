package io.vltava.kafka;

import io.vltava.controller.Controller;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * InitProducerId for idempotent producers: a fresh producer id at epoch 0, taken from a block the
 * controller reserved for this broker so ids stay unique across brokers and restarts.
 * Transactional ids are refused: transactions are not implemented. A producer that asks again
 * with its id and epoch (v3+) gets a new id, as Kafka gives idempotent producers.
 */
final class InitProducerIdHandler implements ApiHandler {
  private static final int BLOCK_SIZE = 1000;

  private final BrokerServices broker;
  private long nextId;
  private long blockEnd;

  InitProducerIdHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.INIT_PRODUCER_ID;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    InitProducerIdRequestData data = ((InitProducerIdRequest) request).data();
    InitProducerIdResponseData response = new InitProducerIdResponseData().setProducerId(-1).setProducerEpoch((short) -1);
    if ((data.producerId() == RecordBatch.NO_PRODUCER_ID) != (data.producerEpoch() == RecordBatch.NO_PRODUCER_EPOCH)) {
      // As Kafka: a producer resuming (v3+, KIP-360) names both its id and its epoch, or neither.
      return CompletableFuture.completedFuture(
          new InitProducerIdResponse(response.setErrorCode(Errors.INVALID_REQUEST.code())));
    }
    // As Kafka 4: an idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic.
    if (data.transactionalId() == null && !broker.authorizedOnCluster(context, AclOperation.IDEMPOTENT_WRITE)
        && !broker.authorizedOnAny(context, AclOperation.WRITE, ResourceType.TOPIC)) {
      return CompletableFuture.completedFuture(new InitProducerIdResponse(response.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())));
    }
    if (data.transactionalId() != null) {
      Errors refused = data.transactionalId().isEmpty() ? Errors.INVALID_REQUEST : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
      return CompletableFuture.completedFuture(new InitProducerIdResponse(response.setErrorCode(refused.code())));
    }
    return nextProducerId().thenApply(id ->
        new InitProducerIdResponse(response.setProducerId(id).setProducerEpoch((short) 0)));
  }

  private synchronized CompletionStage<Long> nextProducerId() {
    if (nextId < blockEnd) {
      return CompletableFuture.completedFuture(nextId++);
    }
    return broker.<Long>askController(replyTo -> new Controller.AllocateProducerIds(BLOCK_SIZE, replyTo))
        .thenApply(this::takeFromNewBlock);
  }

  private synchronized long takeFromNewBlock(long first) {
    if (nextId >= blockEnd) {
      nextId = first;
      blockEnd = first + BLOCK_SIZE;
    }
    return nextId++;
  }
}
