package io.vltava.security;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.util.List;
import java.util.Locale;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

/**
 * One listener's TLS settings, with Kafka's names: the plain {@code vltava.ssl.*} under that
 * listener's {@code vltava.listener.name.<listener>.ssl.*} overrides, as Kafka layers them; the JDK
 * {@link SSLContext} they describe; and how a client certificate's subject becomes a principal name
 * ({@code ssl.principal.mapping.rules}). Passwords are kept out of {@link #toString()}.
 *
 * @param path where the settings were read ({@code vltava.ssl}, or the listener's override section), for messages
 */
public record SslSettings(
    String path, String keystoreLocation, String keystorePassword, String keystoreType, String keyPassword,
    String truststoreLocation, String truststorePassword, String truststoreType,
    ClientAuth clientAuth, List<String> enabledProtocols, SslPrincipalMapper principalMapper,
    String endpointIdentificationAlgorithm) {

  /** Kafka's {@code ssl.client.auth}. */
  public enum ClientAuth { NONE, REQUESTED, REQUIRED }

  /** The settings of listener {@code listenerName}: {@code vltava.ssl} with the listener's overrides over it. */
  public static SslSettings forListener(Config vltava, String listenerName) {
    Config overrides = ListenerOverrides.of(vltava, listenerName);
    String path = overrides.hasPath("ssl") ? ListenerOverrides.path(listenerName) + ".ssl" : "vltava.ssl";
    Config ssl = overrides.hasPath("ssl") ? overrides.getConfig("ssl").withFallback(vltava.getConfig("ssl")) : vltava.getConfig("ssl");
    String clientAuth = ssl.getString("client.auth").toUpperCase(Locale.ROOT);
    ClientAuth parsed;
    try {
      parsed = ClientAuth.valueOf(clientAuth);
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(path + ".client.auth", "must be none, requested or required; was " + clientAuth);
    }
    SslPrincipalMapper mapper;
    try {
      mapper = SslPrincipalMapper.fromRules(ssl.getString("principal.mapping.rules"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(path + ".principal.mapping.rules", e.getMessage());
    }
    return new SslSettings(path, ssl.getString("keystore.location"), ssl.getString("keystore.password"),
        ssl.getString("keystore.type"), ssl.getString("key.password"), ssl.getString("truststore.location"),
        ssl.getString("truststore.password"), ssl.getString("truststore.type"), parsed,
        ssl.getStringList("enabled.protocols"), mapper, ssl.getString("endpoint.identification.algorithm"));
  }

  /**
   * The principal name of a client certificate's subject, as Kafka's default principal builder makes
   * it: an X.500 subject through the mapping rules (the subject itself by default).
   *
   * @throws SSLPeerUnverifiedException when no rule matches the subject, which fails the authentication as in Kafka
   */
  public String principalName(Principal peer) throws SSLPeerUnverifiedException {
    if (!(peer instanceof X500Principal)) {
      return peer.getName();
    }
    try {
      return principalMapper.getName(peer.getName());
    } catch (IOException noRule) {
      throw new SSLPeerUnverifiedException("no rule of " + path + ".principal.mapping.rules matches the certificate subject " + peer.getName());
    }
  }

  /** The server side's context; fails naming the store that cannot be read. */
  public SSLContext serverContext() {
    if (keystoreLocation.isEmpty()) {
      throw new ConfigException.BadValue(path + ".keystore.location", "an SSL or SASL_SSL listener needs a keystore");
    }
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers(), trustManagers().getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new ConfigException.BadValue(path + ".keystore.location", "cannot use " + keystoreLocation + ": " + e.getMessage());
    }
  }

  /** A client's context trusting the truststore (the JDK's CAs without one), with the keystore as its certificate if set. */
  public SSLContext clientContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers(), trustManagers().getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new ConfigException.BadValue(path, "cannot build a TLS client context: " + e.getMessage());
    }
  }

  /**
   * Sockets of a client of this listener (a follower fetching from a leader): TLS with {@link
   * #clientContext()}, checking that the server's certificate names the host connected to when
   * ssl.endpoint.identification.algorithm is "https" (Kafka's default), so a node cannot be
   * impersonated by another holder of a certificate from the same CA for a different host.
   */
  public SocketFactory clientSockets() {
    SSLSocketFactory tls = clientContext().getSocketFactory();
    return new SocketFactory() {
      @Override
      public Socket createSocket() throws IOException {
        return identifyingServer(tls.createSocket());
      }

      @Override
      public Socket createSocket(String host, int port) throws IOException {
        return identifyingServer(tls.createSocket(host, port));
      }

      @Override
      public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return identifyingServer(tls.createSocket(host, port, localHost, localPort));
      }

      @Override
      public Socket createSocket(InetAddress host, int port) throws IOException {
        return identifyingServer(tls.createSocket(host, port));
      }

      @Override
      public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return identifyingServer(tls.createSocket(address, port, localAddress, localPort));
      }
    };
  }

  private Socket identifyingServer(Socket socket) {
    SSLSocket tls = (SSLSocket) socket;
    SSLParameters parameters = tls.getSSLParameters();
    parameters.setProtocols(enabledProtocols.toArray(String[]::new));
    if (!endpointIdentificationAlgorithm.isEmpty()) {
      parameters.setEndpointIdentificationAlgorithm(endpointIdentificationAlgorithm.toUpperCase(Locale.ROOT));
    }
    tls.setSSLParameters(parameters);
    return tls;
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

  /** The keystore's key managers; null (the JDK's default: no certificate) without a keystore. */
  private KeyManager[] keyManagers() throws GeneralSecurityException {
    if (keystoreLocation.isEmpty()) {
      return null;
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(load(path + ".keystore.location", keystoreLocation, keystoreType, keystorePassword),
        (keyPassword.isEmpty() ? keystorePassword : keyPassword).toCharArray());
    return keys.getKeyManagers();
  }

  private TrustManagerFactory trustManagers() throws GeneralSecurityException {
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(truststoreLocation.isEmpty() ? null
        : load(path + ".truststore.location", truststoreLocation, truststoreType, truststorePassword));
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
    return "SslSettings[" + path + ", keystore=" + keystoreLocation + ", truststore=" + truststoreLocation + ", clientAuth=" + clientAuth
        + ", protocols=" + enabledProtocols + ", principalMapping=" + principalMapper + "]";
  }
}
