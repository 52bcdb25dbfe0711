package io.vltava.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How a node looks for the other nodes of its cluster besides its seeds ({@code vltava.cluster.discovery}).
 * {@code kubernetesApi} is present when the method is "kubernetes-api", with its defaults resolved
 * from the pod's environment and service account.
 */
public record DiscoverySettings(Optional<KubernetesApi> kubernetesApi) {
  static final String CONFIG = "config";
  static final String KUBERNETES_API = "kubernetes-api";

  /** Where the pods are listed, which of them are nodes, and how to authenticate. */
  public record KubernetesApi(URI apiServer, String namespace, String podLabelSelector, String podPortName, Path tokenPath,
      Optional<Path> caPath, Duration lookupInterval, Duration lookupTimeout) {}

  /** Reads {@code vltava.cluster.discovery}; {@code environment} supplies KUBERNETES_SERVICE_HOST and _PORT. */
  static DiscoverySettings fromConfig(Config discovery, Map<String, String> environment) {
    String method = discovery.getString("method");
    if (method.equals(CONFIG)) {
      return new DiscoverySettings(Optional.empty());
    }
    if (!method.equals(KUBERNETES_API)) {
      throw new ConfigException.BadValue("vltava.cluster.discovery.method",
          "must be \"" + CONFIG + "\" or \"" + KUBERNETES_API + "\"; was \"" + method + "\"");
    }
    Config k8s = discovery.getConfig("kubernetes-api");
    String caPath = k8s.getString("ca-path");
    return new DiscoverySettings(Optional.of(new KubernetesApi(
        apiServer(k8s.getString("api-server"), environment),
        namespace(k8s.getString("namespace"), Path.of(k8s.getString("namespace-path"))),
        k8s.getString("pod-label-selector"),
        k8s.getString("pod-port-name"),
        Path.of(k8s.getString("token-path")),
        caPath.isEmpty() ? Optional.empty() : Optional.of(Path.of(caPath)),
        k8s.getDuration("lookup-interval"),
        k8s.getDuration("lookup-timeout"))));
  }

  private static URI apiServer(String configured, Map<String, String> environment) {
    if (!configured.isEmpty()) {
      return URI.create(configured);
    }
    String host = environment.get("KUBERNETES_SERVICE_HOST");
    String port = environment.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
    if (host == null) {
      throw new ConfigException.BadValue("vltava.cluster.discovery.kubernetes-api.api-server",
          "is empty and KUBERNETES_SERVICE_HOST is not set (not in a pod?); give the API server's URL");
    }
    // An IPv6 service address needs brackets in a URL.
    return URI.create("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
  }

  private static String namespace(String configured, Path namespaceFile) {
    if (!configured.isEmpty()) {
      return configured;
    }
    try {
      return Files.readString(namespaceFile).trim();
    } catch (IOException e) {
      throw new ConfigException.BadValue("vltava.cluster.discovery.kubernetes-api.namespace",
          "is empty and " + namespaceFile + " cannot be read (" + e + "); give the pods' namespace");
    }
  }
}
