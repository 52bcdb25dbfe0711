package io.vltava.kafka;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.UpdateFeaturesRequestData.FeatureUpdateKey;
import org.apache.kafka.common.message.UpdateFeaturesResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.UpdateFeaturesRequest;
import org.apache.kafka.common.requests.UpdateFeaturesResponse;

/**
 * UpdateFeatures ({@code kafka-features upgrade | downgrade | disable}): Vltava's feature levels are
 * fixed, so a request that would change one, or names a feature Vltava does not know, is refused
 * with INVALID_UPDATE_VERSION and a message naming the levels; one that sets every feature to the
 * level it already has succeeds.
 */
final class UpdateFeaturesHandler implements ApiHandler {
  private final BrokerServices broker;

  UpdateFeaturesHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.UPDATE_FEATURES;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorizedOnCluster(context, AclOperation.ALTER)) {
      return BrokerServices.refused(request, Errors.CLUSTER_AUTHORIZATION_FAILED);
    }
    UpdateFeaturesResponseData response = new UpdateFeaturesResponseData().setErrorCode(Errors.NONE.code());
    for (FeatureUpdateKey update : ((UpdateFeaturesRequest) request).data().featureUpdates()) {
      String refusal = refusal(update);
      if (refusal != null) {
        // The top-level error fails every update of the request, at every version (v2 has no per-feature results).
        response.setErrorCode(Errors.INVALID_UPDATE_VERSION.code()).setErrorMessage(refusal);
        break;
      }
    }
    if (context.apiVersion() <= 1) {
      for (FeatureUpdateKey update : ((UpdateFeaturesRequest) request).data().featureUpdates()) {
        response.results().add(new UpdateFeaturesResponseData.UpdatableFeatureResult().setFeature(update.feature())
            .setErrorCode(response.errorCode()).setErrorMessage(response.errorMessage()));
      }
    }
    return CompletableFuture.completedFuture(new UpdateFeaturesResponse(response));
  }

  /** Why {@code update} cannot be made, or null when it asks for the level the feature already has. */
  private static String refusal(FeatureUpdateKey update) {
    Optional<Short> level = Features.levelOf(update.feature());
    if (level.isEmpty()) {
      return "Vltava does not support the feature " + update.feature() + " (it supports " + Features.summary() + ").";
    }
    if (level.get() != update.maxVersionLevel()) {
      return "Vltava's feature levels are fixed (" + Features.summary() + "); " + update.feature()
          + " cannot be set to " + update.maxVersionLevel() + ".";
    }
    return null;
  }
}
