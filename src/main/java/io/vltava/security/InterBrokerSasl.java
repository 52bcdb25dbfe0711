package io.vltava.security;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.scram.ScramExtensionsCallback;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslClientProvider;

/**
 * How this node authenticates as a follower on a SASL inter-broker listener, with Kafka's settings:
 * the mechanism {@code sasl.mechanism.inter.broker.protocol}, and the node's user name and password
 * from the JAAS entry {@code listener.name.<listener>.<mechanism>.sasl.jaas.config}, else
 * {@code sasl.jaas.config} (kafka-clients parses it, as Kafka does). The SASL client itself is
 * kafka-clients' (SCRAM) or the JDK's (PLAIN). The password is kept out of {@link #toString()} and of
 * every message. Immutable; each connection gets its own {@link SaslClient}.
 */
public record InterBrokerSasl(String mechanism, String username, String password) {

  static {
    ScramSaslClientProvider.initialize();
  }

  /** Reads the settings for inter-broker listener {@code listenerName}; errors name the setting, never the secret. */
  public static InterBrokerSasl fromConfig(Config vltava, String listenerName, List<String> enabledMechanisms) {
    String mechanism = vltava.getString("sasl.mechanism.inter.broker.protocol").trim();
    if (mechanism.isEmpty()) {
      mechanism = enabledMechanisms.get(0);
    }
    if (!mechanism.equals(SaslSettings.PLAIN) && !ScramMechanism.isScram(mechanism)) {
      throw new ConfigException.BadValue("vltava.sasl.mechanism.inter.broker.protocol",
          mechanism + " is not supported; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512");
    }
    String listenerSetting = mechanism.toLowerCase(Locale.ROOT) + ".sasl.jaas.config";
    Config overrides = ListenerOverrides.of(vltava, listenerName);
    String setting = overrides.hasPath(listenerSetting) ? ListenerOverrides.path(listenerName) + "." + listenerSetting
        : "vltava.sasl.jaas.config";
    String jaas = overrides.hasPath(listenerSetting) ? overrides.getString(listenerSetting) : vltava.getString("sasl.jaas.config");
    if (jaas.isBlank()) {
      throw new ConfigException.BadValue(ListenerOverrides.path(listenerName) + "." + listenerSetting,
          "the inter-broker listener " + listenerName + " uses SASL, so this node needs its own " + mechanism
              + " credentials here (or in vltava.sasl.jaas.config)");
    }
    List<AppConfigurationEntry> entries;
    try {
      entries = JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(jaas))).configurationEntries();
    } catch (IllegalArgumentException | org.apache.kafka.common.KafkaException e) {
      // kafka-clients' parse errors name keys and the module, never a value.
      throw new ConfigException.BadValue(setting, "is not a JAAS login module entry: " + e.getMessage());
    }
    String username = JaasContext.configEntryOption(entries, "username", null);
    String password = JaasContext.configEntryOption(entries, "password", null);
    if (username == null || username.isEmpty() || password == null) {
      throw new ConfigException.BadValue(setting, "needs username=\"...\" and password=\"...\" options");
    }
    return new InterBrokerSasl(mechanism, username, password);
  }

  /** A fresh client for one authentication with the broker at {@code serverHost}. */
  public SaslClient newClient(String serverHost) throws SaslException {
    SaslClient client = Sasl.createSaslClient(new String[] {mechanism}, null, "kafka", serverHost, Map.of(), this::answer);
    if (client == null) {
      throw new SaslException("this JVM offers no SASL client for " + mechanism);
    }
    return client;
  }

  private void answer(Callback[] callbacks) throws UnsupportedCallbackException {
    for (Callback callback : callbacks) {
      if (callback instanceof NameCallback name) {
        name.setName(username);
      } else if (callback instanceof PasswordCallback secret) {
        secret.setPassword(password.toCharArray());
      } else if (callback instanceof RealmCallback realm) {
        realm.setText(realm.getDefaultText());
      } else if (callback instanceof ScramExtensionsCallback) {
        // No SCRAM extensions (they carry delegation tokens, which do not exist here).
      } else {
        throw new UnsupportedCallbackException(callback);
      }
    }
  }

  @Override
  public String toString() {
    return "InterBrokerSasl[" + mechanism + " as " + username + "]";
  }
}
