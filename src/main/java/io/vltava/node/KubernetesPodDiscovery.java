package io.vltava.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Finds the cluster endpoints ("host:port") of the nodes' pods through the Kubernetes API, the way
 * Pekko Discovery's kubernetes-api method does: {@code GET /api/v1/namespaces/{ns}/pods?labelSelector=...}
 * with the service account's token, keeping running pods that have an IP and are not being deleted.
 * It only lists candidates: whom to join or whether to form is {@link FormationRules}' decision.
 * Thread-safe; lookups run on the HTTP client's threads.
 */
final class KubernetesPodDiscovery {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DiscoverySettings.KubernetesApi settings;
  private final int defaultPort;
  private final HttpClient http;

  /** {@code defaultPort}: where a pod without a container port named {@code pod-port-name} is reached. */
  KubernetesPodDiscovery(DiscoverySettings.KubernetesApi settings, int defaultPort) {
    this.settings = settings;
    this.defaultPort = defaultPort;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(settings.lookupTimeout());
    if (settings.caPath().isPresent()) {
      try {
        builder.sslContext(trusting(settings.caPath().get()));
      } catch (IOException | GeneralSecurityException e) {
        throw new ConfigException.BadValue("vltava.cluster.discovery.kubernetes-api.ca-path",
            "no CA certificate readable from " + settings.caPath().get() + ": " + e);
      }
    }
    this.http = builder.build();
  }

  /** The endpoints of the pods listed now; fails on an unreachable API server or an answer other than 200. */
  CompletionStage<List<String>> lookup() {
    HttpRequest request;
    try {
      String token = Files.readString(settings.tokenPath()).trim();
      URI pods = settings.apiServer().resolve("/api/v1/namespaces/" + settings.namespace() + "/pods?labelSelector="
          + URLEncoder.encode(settings.podLabelSelector(), StandardCharsets.UTF_8));
      request = HttpRequest.newBuilder(pods).timeout(settings.lookupTimeout())
          .header("Authorization", "Bearer " + token).header("Accept", "application/json").GET().build();
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("the Kubernetes API answered " + response.statusCode() + " to " + request.uri()
            + " (does the service account's Role allow listing pods?): " + abbreviate(response.body()));
      }
      try {
        return endpoints(JSON.readTree(response.body()), settings.podPortName(), defaultPort);
      } catch (IOException e) {
        throw new IllegalStateException("unreadable pod list from " + request.uri() + ": " + e.getMessage(), e);
      }
    });
  }

  /** The "podIP:port" of each running pod of a PodList that is not being deleted, in the list's order. */
  static List<String> endpoints(JsonNode podList, String portName, int defaultPort) {
    List<String> endpoints = new ArrayList<>();
    for (JsonNode pod : podList.path("items")) {
      String ip = pod.path("status").path("podIP").asText("");
      boolean running = pod.path("status").path("phase").asText("").equals("Running");
      boolean deleting = !pod.path("metadata").path("deletionTimestamp").isMissingNode();
      if (ip.isEmpty() || !running || deleting) {
        continue;
      }
      endpoints.add(ip + ":" + port(pod, portName, defaultPort));
    }
    return endpoints;
  }

  private static int port(JsonNode pod, String portName, int defaultPort) {
    for (JsonNode container : pod.path("spec").path("containers")) {
      for (JsonNode port : container.path("ports")) {
        if (port.path("name").asText("").equals(portName)) {
          return port.path("containerPort").asInt(defaultPort);
        }
      }
    }
    return defaultPort;
  }

  private static SSLContext trusting(java.nio.file.Path caFile) throws IOException, GeneralSecurityException {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int i = 0;
      for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trusted.setCertificateEntry("kubernetes-ca-" + i++, ca);
      }
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static String abbreviate(String body) {
    return body.length() <= 300 ? body : body.substring(0, 300) + "...";
  }
}
