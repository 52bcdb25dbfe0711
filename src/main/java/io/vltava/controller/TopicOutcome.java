package io.vltava.controller;

import io.vltava.metadata.CborSerializable;
import io.vltava.metadata.TopicState;
import org.apache.kafka.common.protocol.Errors;

/** The controller's answer for one topic of a request: the resulting topic, or a Kafka error. */
public record TopicOutcome(String name, TopicState topic, short errorCode, String errorMessage)
    implements CborSerializable {

  static TopicOutcome ok(TopicState topic) {
    return new TopicOutcome(topic.name(), topic, Errors.NONE.code(), null);
  }

  static TopicOutcome failed(String name, RuntimeException cause) {
    return new TopicOutcome(name, null, Errors.forException(cause).code(), cause.getMessage());
  }

  public Errors error() {
    return Errors.forCode(errorCode);
  }
}
