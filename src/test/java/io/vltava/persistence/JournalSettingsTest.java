package io.vltava.persistence;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

class JournalSettingsTest {
  private final JournalSettings settings = JournalSettings.from(ConfigFactory.defaultReference());

  @Test
  void theJournalTopicIsCreatedCompactedWithUnlimitedRetention() {
    assertEquals("compact", settings.topicConfigs().get("cleanup.policy"));
    assertEquals("-1", settings.topicConfigs().get("retention.ms"));
  }

  @Test
  void compactionCannotBeTurnedOnForAJournalTopicCreatedWithoutIt() {
    assertThrows(InvalidConfigurationException.class, () -> settings.checkConfigChange("__vltava_journal", "delete", "compact"));
    assertThrows(InvalidConfigurationException.class,
        () -> settings.checkConfigChange("__vltava_journal", "delete", "delete, compact"));
    assertDoesNotThrow(() -> settings.checkConfigChange("__vltava_journal", "compact", "delete"));
    assertDoesNotThrow(() -> settings.checkConfigChange("__vltava_journal", "compact", "compact"));
    assertDoesNotThrow(() -> settings.checkConfigChange("__vltava_journal", "delete", "delete"));
    assertDoesNotThrow(() -> settings.checkConfigChange("events", "delete", "compact"), "other topics as they like");
  }
}
