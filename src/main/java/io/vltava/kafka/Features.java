package io.vltava.kafka;

import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;

/**
 * The feature levels Vltava claims (KIP-584), what {@code kafka-features describe} shows. They are
 * fixed: nothing in Vltava changes them, so the finalized epoch never moves from 0.
 *
 * <p>metadata.version is the one level whose protocol versions Vltava serves (Fetch v18 and
 * ListOffsets v11 are 4.3-IV0's); the other features Kafka 4.3 knows stay at 0 because Vltava does
 * not implement what their higher levels enable: the consumer group protocol of KIP-848
 * (group.version), transactions (transaction.version), eligible leader replicas, share groups and
 * Streams groups. kraft.version is not claimed at all: Vltava has no KRaft quorum.
 */
final class Features {
  private Features() {}

  /** A feature Vltava supports at exactly {@code level}, finalized there. */
  record Feature(String name, short level) {}

  static final String METADATA_VERSION = "metadata.version";
  /** MetadataVersion 4.3-IV0. */
  static final short METADATA_VERSION_LEVEL = 30;
  static final long FINALIZED_EPOCH = 0;

  static final List<Feature> ALL = List.of(
      new Feature(METADATA_VERSION, METADATA_VERSION_LEVEL),
      new Feature("group.version", (short) 0),
      new Feature("transaction.version", (short) 0),
      new Feature("eligible.leader.replicas.version", (short) 0),
      new Feature("share.version", (short) 0),
      new Feature("streams.version", (short) 0));

  /** Sets the feature fields of an ApiVersions response at {@code version} (they exist from v3). */
  static void describe(ApiVersionsResponseData response, short version) {
    if (version < 3) {
      return;
    }
    for (Feature feature : ALL) {
      // Before v4 a supported range starting at 0 cannot be told apart from "absent" (KAFKA-17011), so
      // such features are left out, as Kafka's broker does.
      if (version >= 4 || feature.level() > 0) {
        response.supportedFeatures().add(new SupportedFeatureKey()
            .setName(feature.name()).setMinVersion(feature.level()).setMaxVersion(feature.level()));
      }
      // A level of 0 means "not enabled": it is not a finalized feature.
      if (feature.level() > 0) {
        response.finalizedFeatures().add(new FinalizedFeatureKey()
            .setName(feature.name()).setMinVersionLevel(feature.level()).setMaxVersionLevel(feature.level()));
      }
    }
    response.setFinalizedFeaturesEpoch(FINALIZED_EPOCH);
  }

  /** The level of feature {@code name}, or empty if Vltava does not know it. */
  static Optional<Short> levelOf(String name) {
    return ALL.stream().filter(f -> f.name().equals(name)).map(Feature::level).findFirst();
  }

  static String summary() {
    StringBuilder text = new StringBuilder();
    for (Feature feature : ALL) {
      text.append(text.length() == 0 ? "" : ", ").append(feature.name()).append('=').append(feature.level());
    }
    return text.toString();
  }
}
