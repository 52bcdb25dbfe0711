package io.vltava.kafka;

import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** A handler whose answers a test scripts. */
record ScriptedHandler(
    ApiKeys apiKey,
    short oldestVersion,
    short latestVersion,
    BiFunction<RequestHeader, AbstractRequest, CompletionStage<AbstractResponse>> script)
    implements ApiHandler {

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    return script.apply(context.header(), request);
  }
}
