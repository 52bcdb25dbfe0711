package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoverySettingsTest {
  @TempDir Path dir;

  @Test
  void configMeansTheSeedsOnly() {
    assertEquals(Optional.empty(), DiscoverySettings.fromConfig(discovery(Map.of()), Map.of()).kubernetesApi());
  }

  @Test
  void insideAPodTheApiServerAndNamespaceComeFromTheEnvironmentAndTheServiceAccount() throws Exception {
    Path namespace = Files.writeString(dir.resolve("namespace"), "streaming\n");
    DiscoverySettings.KubernetesApi k8s = DiscoverySettings.fromConfig(discovery(Map.of("method", "kubernetes-api",
            "kubernetes-api.namespace-path", namespace.toString())),
        Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443")).kubernetesApi().orElseThrow();
    assertEquals(URI.create("https://10.96.0.1:443"), k8s.apiServer());
    assertEquals("streaming", k8s.namespace());
    assertEquals("app.kubernetes.io/name=vltava", k8s.podLabelSelector());
  }

  @Test
  void anUnknownMethodOrAnApiServerThatCannotBeFoundIsABadValueNamingTheSetting() {
    ConfigException method = assertThrows(ConfigException.BadValue.class,
        () -> DiscoverySettings.fromConfig(discovery(Map.of("method", "dns")), Map.of()));
    assertTrue(method.getMessage().contains("vltava.cluster.discovery.method"), method.getMessage());
    ConfigException outsideAPod = assertThrows(ConfigException.BadValue.class,
        () -> DiscoverySettings.fromConfig(discovery(Map.of("method", "kubernetes-api")), Map.of()));
    assertTrue(outsideAPod.getMessage().contains("KUBERNETES_SERVICE_HOST"), outsideAPod.getMessage());
  }

  private static Config discovery(Map<String, String> settings) {
    Map<String, Object> values = new java.util.HashMap<>();
    settings.forEach((key, value) -> values.put("vltava.cluster.discovery." + key, value));
    return NodeSettings.load(ConfigFactory.parseMap(values)).getConfig("vltava.cluster.discovery");
  }
}
