package io.vltava.kafka;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;

/**
 * Answers ApiVersions with exactly the version range each registered handler declares, plus its
 * own. A request at a version we do not know arrives as {@link
 * ApiVersionsRequest#hasUnsupportedRequestVersion()} and gets UNSUPPORTED_VERSION with the full
 * list, so the client retries with a version we support (KIP-511).
 */
final class ApiVersionsHandler implements ApiHandler {

  private final List<ApiHandler> others;

  ApiVersionsHandler(List<ApiHandler> others) {
    this.others = List.copyOf(others);
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.API_VERSIONS;
  }

  @Override
  public short oldestVersion() {
    return 0;
  }

  @Override
  public short latestVersion() {
    return 4;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    ApiVersionsRequest apiVersions = (ApiVersionsRequest) request;
    ApiVersionsResponseData data = new ApiVersionsResponseData().setApiKeys(advertisedVersions());
    if (apiVersions.hasUnsupportedRequestVersion()) {
      data.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
      return CompletableFuture.completedFuture(new ApiVersionsResponse(data));
    }
    if (!apiVersions.isValid()) {
      return CompletableFuture.completedFuture(
          apiVersions.getErrorResponse(new InvalidRequestException("bad client software name")));
    }
    Features.describe(data, context.apiVersion());
    return CompletableFuture.completedFuture(new ApiVersionsResponse(data));
  }

  private ApiVersionCollection advertisedVersions() {
    ApiVersionCollection versions = new ApiVersionCollection();
    versions.add(advertised(this));
    others.forEach(handler -> versions.add(advertised(handler)));
    return versions;
  }

  private static ApiVersion advertised(ApiHandler handler) {
    return new ApiVersion()
        .setApiKey(handler.apiKey().id)
        .setMinVersion(handler.oldestVersion())
        .setMaxVersion(handler.latestVersion());
  }
}
