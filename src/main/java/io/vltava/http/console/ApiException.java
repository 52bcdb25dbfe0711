package io.vltava.http.console;

import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidOffsetException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** A console API request that cannot be served, with the HTTP status and the message its JSON error carries. */
final class ApiException extends RuntimeException {
  private final int status;
  /** The methods a 405 names in its Allow header; null for other statuses. */
  private final String allow;

  ApiException(int status, String message) {
    this(status, message, null);
  }

  private ApiException(int status, String message, String allow) {
    super(message);
    this.status = status;
    this.allow = allow;
  }

  static ApiException methodNotAllowed(String method, String allowed) {
    return new ApiException(405, method + " is not allowed here; use " + allowed, allowed);
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  static ApiException conflict(String message) {
    return new ApiException(409, message);
  }

  /** A Kafka error the node answered (or a client-side timeout) as the HTTP status that fits it. */
  static ApiException fromKafka(Throwable error) {
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    if (error instanceof UnknownTopicOrPartitionException || error instanceof GroupIdNotFoundException) {
      return notFound(message);
    }
    if (error instanceof TopicExistsException || error instanceof GroupNotEmptyException || error instanceof UnknownMemberIdException
        || error instanceof RebalanceInProgressException) {
      return conflict(message);
    }
    if (error instanceof InvalidTopicException || error instanceof InvalidPartitionsException
        || error instanceof InvalidReplicationFactorException || error instanceof InvalidConfigurationException
        || error instanceof InvalidRequestException || error instanceof PolicyViolationException
        || error instanceof InvalidOffsetException) {
      return badRequest(message);
    }
    if (error instanceof TimeoutException) {
      return new ApiException(504, "the node did not answer in time: " + message);
    }
    return new ApiException(502, "the node refused: " + message);
  }

  int status() {
    return status;
  }

  String allow() {
    return allow;
  }
}
