package io.vltava.kafka;

import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Serves one Kafka API key. ApiVersions advertises exactly the range each handler declares, so a
 * handler only declares versions it implements and that are tested.
 */
public interface ApiHandler {

  ApiKeys apiKey();

  /** Defaults to every version kafka-clients' message classes know; override to narrow. */
  default short oldestVersion() {
    return apiKey().oldestVersion();
  }

  default short latestVersion() {
    return apiKey().latestVersion();
  }

  /**
   * Completes with the response to send, or with {@code null} when the request gets no response
   * (a produce with acks=0). Must not block the calling thread.
   */
  CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request);
}
