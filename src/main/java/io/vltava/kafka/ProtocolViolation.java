package io.vltava.kafka;

/** Input after which a connection cannot continue, so the listener closes it. */
final class ProtocolViolation extends RuntimeException {

  ProtocolViolation(String reason) {
    // The reason is the whole story; a stack trace per bad client would only fill the log.
    super(reason, null, false, false);
  }
}
