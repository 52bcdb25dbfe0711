package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.message.UpdateFeaturesRequestData;
import org.apache.kafka.common.message.UpdateFeaturesRequestData.FeatureUpdateKey;
import org.apache.kafka.common.message.UpdateFeaturesRequestData.FeatureUpdateKeyCollection;
import org.apache.kafka.common.message.UpdateFeaturesResponseData.UpdatableFeatureResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.UpdateFeaturesResponse;

/**
 * UpdateFeatures: Vltava's feature levels are fixed. Setting a feature to the level it has succeeds;
 * any change, or an unknown feature, is refused with INVALID_UPDATE_VERSION and a message naming the levels, per feature
 * too where the version has per-feature results (v0-v1).
 */
final class UpdateFeaturesCase implements ApiCase {

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.UPDATE_FEATURES;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    UpdateFeaturesResponse same = broker.send(request(version, false, update(version, "metadata.version", 30)), version);
    assertEquals(Errors.NONE.code(), same.data().errorCode());
    assertEquals(version <= 1 ? List.of(Errors.NONE.code()) : List.of(), perFeature(same));

    UpdateFeaturesResponse change = broker.send(
        request(version, version >= 1, update(version, "metadata.version", 30), update(version, "transaction.version", 2)), version);
    assertEquals(Errors.INVALID_UPDATE_VERSION.code(), change.data().errorCode());
    assertTrue(change.data().errorMessage().contains("transaction.version cannot be set to 2"), change.data().errorMessage());
    assertEquals(version <= 1 ? List.of(Errors.INVALID_UPDATE_VERSION.code(), Errors.INVALID_UPDATE_VERSION.code()) : List.of(),
        perFeature(change));

    UpdateFeaturesResponse unknown = broker.send(request(version, false, update(version, "no.such.version", 0)), version);
    assertEquals(Errors.INVALID_UPDATE_VERSION.code(), unknown.data().errorCode());
    assertTrue(unknown.data().errorMessage().startsWith("Vltava does not support the feature no.such.version"),
        unknown.data().errorMessage());
  }

  private static List<Short> perFeature(UpdateFeaturesResponse response) {
    return response.data().results().stream().map(UpdatableFeatureResult::errorCode).toList();
  }

  private static FeatureUpdateKey update(short version, String feature, int level) {
    FeatureUpdateKey update = new FeatureUpdateKey().setFeature(feature).setMaxVersionLevel((short) level);
    // v0 says "allow downgrade"; v1 replaced it with an upgrade type (1 = upgrade).
    return version == 0 ? update.setAllowDowngrade(false) : update.setUpgradeType((byte) 1);
  }

  private static UpdateFeaturesRequestData request(short version, boolean validateOnly, FeatureUpdateKey... updates) {
    FeatureUpdateKeyCollection keys = new FeatureUpdateKeyCollection();
    for (FeatureUpdateKey update : updates) {
      keys.add(update);
    }
    UpdateFeaturesRequestData request = new UpdateFeaturesRequestData().setTimeoutMs(15_000).setFeatureUpdates(keys);
    return version >= 1 ? request.setValidateOnly(validateOnly) : request;
  }
}
