package io.vltava.security;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS settings of the SSL and SASL_SSL listeners, with Kafka's names ({@code vltava.ssl.*}), and the
 * JDK {@link SSLContext} they describe. Passwords are kept out of {@link #toString()}.
 */
public record SslSettings(
    String keystoreLocation, String keystorePassword, String keystoreType, String keyPassword,
    String truststoreLocation, String truststorePassword, String truststoreType,
    ClientAuth clientAuth, List<String> enabledProtocols) {

  /** Kafka's {@code ssl.client.auth}. */
  public enum ClientAuth { NONE, REQUESTED, REQUIRED }

  public static SslSettings fromConfig(Config ssl) {
    String clientAuth = ssl.getString("client.auth").toUpperCase(Locale.ROOT);
    ClientAuth parsed;
    try {
      parsed = ClientAuth.valueOf(clientAuth);
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue("vltava.ssl.client.auth", "must be none, requested or required; was " + clientAuth);
    }
    return new SslSettings(ssl.getString("keystore.location"), ssl.getString("keystore.password"),
        ssl.getString("keystore.type"), ssl.getString("key.password"), ssl.getString("truststore.location"),
        ssl.getString("truststore.password"), ssl.getString("truststore.type"), parsed,
        ssl.getStringList("enabled.protocols"));
  }

  /** The server side's context; fails naming the store that cannot be read. */
  public SSLContext serverContext() {
    if (keystoreLocation.isEmpty()) {
      throw new ConfigException.BadValue("vltava.ssl.keystore.location", "an SSL or SASL_SSL listener needs a keystore");
    }
    try {
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load("vltava.ssl.keystore.location", keystoreLocation, keystoreType, keystorePassword),
          (keyPassword.isEmpty() ? keystorePassword : keyPassword).toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trustManagers().getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new ConfigException.BadValue("vltava.ssl.keystore.location", "cannot use " + keystoreLocation + ": " + e.getMessage());
    }
  }

  /** A client's context trusting the truststore (the JDK's CAs without one), with the keystore as its certificate if set. */
  public SSLContext clientContext() {
    try {
      KeyManagerFactory keys = null;
      if (!keystoreLocation.isEmpty()) {
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load("vltava.ssl.keystore.location", keystoreLocation, keystoreType, keystorePassword),
            (keyPassword.isEmpty() ? keystorePassword : keyPassword).toCharArray());
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trustManagers().getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new ConfigException.BadValue("vltava.ssl", "cannot build a TLS client context: " + e.getMessage());
    }
  }

  /**
   * A server engine for one connection: this node's certificate, and client certificates as
   * ssl.client.auth says where they authenticate ({@code forSsl}); as in Kafka, SASL_SSL clients
   * authenticate with SASL and are not asked for one.
   */
  public SSLEngine serverEngine(SSLContext context, boolean forSsl) {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setEnabledProtocols(enabledProtocols.toArray(String[]::new));
    switch (forSsl ? clientAuth : ClientAuth.NONE) {
      case REQUIRED -> engine.setNeedClientAuth(true);
      case REQUESTED -> engine.setWantClientAuth(true);
      case NONE -> engine.setWantClientAuth(false);
    }
    return engine;
  }

  private TrustManagerFactory trustManagers() throws GeneralSecurityException {
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(truststoreLocation.isEmpty() ? null
        : load("vltava.ssl.truststore.location", truststoreLocation, truststoreType, truststorePassword));
    return trust;
  }

  private static KeyStore load(String setting, String location, String type, String password) {
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password.toCharArray());
      return store;
    } catch (IOException | GeneralSecurityException e) {
      // The message names the file and the failure, never the password.
      throw new ConfigException.BadValue(setting, "cannot read " + type + " store " + location + ": " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "SslSettings[keystore=" + keystoreLocation + ", truststore=" + truststoreLocation + ", clientAuth=" + clientAuth
        + ", protocols=" + enabledProtocols + "]";
  }
}
