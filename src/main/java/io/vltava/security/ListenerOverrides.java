package io.vltava.security;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka's per-listener settings, {@code vltava.listener.name.<listener>.*} with the listener's name
 * in lower case: {@code ssl.*} overriding the plain {@code vltava.ssl.*} for that listener, and
 * {@code <mechanism>.sasl.jaas.config} (mechanism in lower case) giving the credentials this node
 * uses as a client on it. Stateless.
 */
public final class ListenerOverrides {

  static final String PREFIX = "listener.name";
  /** listener.name.<listener>.ssl.<setting> or listener.name.<listener>.<mechanism>.sasl.jaas.config. */
  private static final Pattern OVERRIDE =
      Pattern.compile("vltava\\.listener\\.name\\.([^.]+)\\.(?:ssl\\.(.+)|([a-z0-9-]+)\\.sasl\\.jaas\\.config)");

  private ListenerOverrides() {}

  /** The override section of {@code listenerName}, empty without one. */
  static Config of(Config vltava, String listenerName) {
    String path = PREFIX + "." + listenerName.toLowerCase(Locale.ROOT);
    return vltava.hasPath(path) ? vltava.getConfig(path) : ConfigFactory.empty();
  }

  /** {@code vltava.listener.name.<listener>} for settings messages. */
  static String path(String listenerName) {
    return "vltava." + PREFIX + "." + listenerName.toLowerCase(Locale.ROOT);
  }

  /**
   * The reference.conf setting a per-listener one stands for ({@code vltava.ssl.*} or
   * {@code vltava.sasl.jaas.config}), so it is checked for spelling and type like any other; empty
   * when {@code path} is not a per-listener setting of either shape.
   */
  public static Optional<String> referencePath(String path) {
    Matcher matcher = OVERRIDE.matcher(path);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    return Optional.of(matcher.group(2) != null ? "vltava.ssl." + matcher.group(2) : "vltava.sasl.jaas.config");
  }

  /** Fails naming an override section whose listener does not exist (Kafka's names are lower case here). */
  public static void checkListenerNames(Config vltava, Collection<String> listenerNames) {
    if (!vltava.hasPath(PREFIX)) {
      return;
    }
    for (String named : vltava.getConfig(PREFIX).root().keySet()) {
      boolean known = listenerNames.stream().anyMatch(name -> name.toLowerCase(Locale.ROOT).equals(named));
      if (!known) {
        throw new ConfigException.BadPath("vltava." + PREFIX + "." + named,
            "names no listener; use a name of vltava.listeners in lower case, one of " + listenerNames);
      }
    }
  }
}
