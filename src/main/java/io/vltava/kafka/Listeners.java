package io.vltava.kafka;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * A node's Kafka listeners, read from Kafka's settings {@code listeners}, {@code advertised.listeners},
 * {@code listener.security.protocol.map} and {@code inter.broker.listener.name} (under {@code vltava}),
 * or from the simple form {@code vltava.listener.host/port/advertised-host} as one PLAINTEXT listener.
 * Names are unique; the inter-broker listener is one of them.
 */
public record Listeners(List<NamedListener> all, String interBrokerListenerName) {

  /** Kafka's name for the simple form's one listener. */
  public static final String DEFAULT_NAME = "PLAINTEXT";

  public Listeners {
    all = List.copyOf(all);
    if (all.isEmpty()) {
      throw new IllegalArgumentException("a node needs at least one listener");
    }
    if (all.stream().map(NamedListener::name).distinct().count() != all.size()) {
      throw new IllegalArgumentException("listener names must be unique: " + all);
    }
    if (all.stream().noneMatch(l -> l.name().equals(interBrokerListenerName))) {
      throw new IllegalArgumentException("inter.broker.listener.name " + interBrokerListenerName + " is not a listener");
    }
  }

  public NamedListener interBroker() {
    return named(interBrokerListenerName).orElseThrow();
  }

  public Optional<NamedListener> named(String name) {
    return all.stream().filter(l -> l.name().equals(name)).findFirst();
  }

  /** Reads the {@code vltava} section; configuration errors name the setting. */
  public static Listeners fromConfig(Config vltava) {
    Config simple = vltava.getConfig("listener");
    String advertisedHost = simple.getString("advertised-host");
    String listeners = vltava.getString("listeners").trim();
    if (listeners.isEmpty()) {
      String host = simple.getString("host");
      NamedListener only = new NamedListener(DEFAULT_NAME, SecurityProtocol.PLAINTEXT, host, simple.getInt("port"),
          advertisedHost.isEmpty() ? host : advertisedHost, 0);
      return new Listeners(List.of(only), DEFAULT_NAME);
    }
    Map<String, SecurityProtocol> protocols = protocolMap(simple.getString("security.protocol.map"));
    Map<String, Address> advertised = addresses("vltava.advertised.listeners", vltava.getString("advertised.listeners"));
    List<NamedListener> all = new ArrayList<>();
    for (Map.Entry<String, Address> bound : addresses("vltava.listeners", listeners).entrySet()) {
      String name = bound.getKey();
      SecurityProtocol protocol = Optional.ofNullable(protocols.get(name)).or(() -> builtIn(name)).orElseThrow(() ->
          new ConfigException.BadValue("vltava.listener.security.protocol.map", "names no security protocol for listener " + name));
      Address address = bound.getValue();
      Address told = advertised.getOrDefault(name,
          new Address(!advertisedHost.isEmpty() ? advertisedHost : address.host().isEmpty() ? "localhost" : address.host(), 0));
      all.add(new NamedListener(name, protocol, address.host().isEmpty() ? "0.0.0.0" : address.host(), address.port(),
          told.host(), told.port()));
    }
    for (String name : advertised.keySet()) {
      if (all.stream().noneMatch(l -> l.name().equals(name))) {
        throw new ConfigException.BadValue("vltava.advertised.listeners", "names " + name + ", which is not in vltava.listeners");
      }
    }
    String interBroker = vltava.getString("inter.broker.listener.name").trim();
    try {
      return new Listeners(all, interBroker.isEmpty() ? all.get(0).name() : interBroker);
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue("vltava.listeners", e.getMessage());
    }
  }

  private record Address(String host, int port) {}

  private static Optional<SecurityProtocol> builtIn(String name) {
    return SecurityProtocol.names().contains(name) ? Optional.of(SecurityProtocol.forName(name)) : Optional.empty();
  }

  private static Map<String, SecurityProtocol> protocolMap(String map) {
    Map<String, SecurityProtocol> protocols = new LinkedHashMap<>();
    for (String entry : map.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      String[] parts = entry.trim().split(":");
      if (parts.length != 2 || !SecurityProtocol.names().contains(parts[1].trim().toUpperCase(Locale.ROOT))) {
        throw new ConfigException.BadValue("vltava.listener.security.protocol.map",
            "\"" + entry.trim() + "\" is not NAME:PROTOCOL with a protocol of " + SecurityProtocol.names());
      }
      protocols.put(parts[0].trim().toUpperCase(Locale.ROOT), SecurityProtocol.forName(parts[1].trim().toUpperCase(Locale.ROOT)));
    }
    return protocols;
  }

  /** Parses "NAME://host:port,..." (host may be empty or an [IPv6] literal); names are upper-cased as Kafka does. */
  private static Map<String, Address> addresses(String setting, String value) {
    Map<String, Address> addresses = new LinkedHashMap<>();
    for (String entry : value.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      String trimmed = entry.trim();
      int scheme = trimmed.indexOf("://");
      int colon = trimmed.lastIndexOf(':');
      if (scheme <= 0 || colon <= scheme + 2) {
        throw new ConfigException.BadValue(setting, "\"" + trimmed + "\" is not NAME://host:port");
      }
      String name = trimmed.substring(0, scheme).toUpperCase(Locale.ROOT);
      String host = trimmed.substring(scheme + 3, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(trimmed.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new ConfigException.BadValue(setting, "\"" + trimmed + "\" has no numeric port");
      }
      if (port < 0 || port > 65535) {
        throw new ConfigException.BadValue(setting, "\"" + trimmed + "\": port must be in 0..65535");
      }
      if (addresses.put(name, new Address(host, port)) != null) {
        throw new ConfigException.BadValue(setting, "names listener " + name + " twice");
      }
    }
    return addresses;
  }
}
