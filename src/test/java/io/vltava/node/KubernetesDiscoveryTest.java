package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vltava.testkit.VltavaCluster;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer discovery through the Kubernetes API: three nodes with no seeds form one cluster from the
 * pods a stub API server lists (loopback, answering a PodList as the real API does), and the pod
 * list is read the way Pekko Discovery's kubernetes-api method reads it.
 */
@Tag("slow")
class KubernetesDiscoveryTest {
  private static final String NAMESPACE = "streaming";
  private static final String SELECTOR = "app.kubernetes.io/name=vltava";
  private static final String TOKEN = "service-account-token";

  @TempDir Path baseDir;

  @Test
  void runningPodsThatAreNotBeingDeletedAreTheCandidatesOnTheirNamedPort() throws Exception {
    String podList = """
        {"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "7"}, "items": [
          %s,
          {"metadata": {"name": "vltava-1"}, "spec": {"containers": [{"name": "vltava"}]}, "status": {"phase": "Pending"}},
          {"metadata": {"name": "vltava-2", "deletionTimestamp": "2026-11-30T22:00:00Z"},
           "spec": {"containers": [{"name": "vltava", "ports": [{"name": "cluster", "containerPort": 25520}]}]},
           "status": {"phase": "Running", "podIP": "10.1.0.9"}},
          {"metadata": {"name": "vltava-3"}, "spec": {"containers": [{"name": "vltava", "ports": [{"name": "kafka", "containerPort": 9092}]}]},
           "status": {"phase": "Running", "podIP": "10.1.0.4"}}
        ]}""".formatted(pod("vltava-0", "10.1.0.7", 25520));
    assertEquals(List.of("10.1.0.7:25520", "10.1.0.4:25999"),
        KubernetesPodDiscovery.endpoints(new ObjectMapper().readTree(podList), "cluster", 25999));
  }

  @Test
  void theLowestOfAllDiscoveredNodesFormsANewClusterOnceTheClusterSizeIsListed() {
    List<String> three = List.of("10.1.0.9:25520", "10.1.0.10:25520", "10.1.0.4:25520");
    assertTrue(FormationRules.firstDiscovered("10.1.0.10:25520", three, 3), "lowest as text, the same order on every node");
    assertFalse(FormationRules.firstDiscovered("10.1.0.4:25520", three, 3));
    assertFalse(FormationRules.firstDiscovered("10.1.0.10:25520", three.subList(0, 2), 3), "not all pods listed yet");
    assertFalse(FormationRules.firstDiscovered("10.1.0.1:25520", three, 3), "a node that does not see itself listed waits");
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void threeNodesWithoutSeedsFormOneClusterFromThePodsTheKubernetesApiLists() throws Exception {
    int[] clusterPorts = VltavaCluster.freePorts(3);
    List<String> queries = new CopyOnWriteArrayList<>();
    HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    String pods = "{\"kind\": \"PodList\", \"apiVersion\": \"v1\", \"items\": ["
        + java.util.stream.IntStream.range(0, 3).mapToObj(i -> pod("vltava-" + i, "127.0.0.1", clusterPorts[i]))
            .collect(Collectors.joining(", ")) + "]}";
    api.createContext("/api/v1/namespaces/", exchange -> answer(exchange, queries, pods));
    api.start();
    Path token = Files.writeString(baseDir.resolve("token"), TOKEN + "\n");
    List<CompletableFuture<VltavaNode>> starting = new ArrayList<>();
    try {
      for (int id = 1; id <= 3; id++) {
        Map<String, Object> settings = Map.of(
            // As the StatefulSet's pods: node id = pod ordinal, from 0.
            "vltava.node-id", id - 1,
            "vltava.cluster.port", clusterPorts[id - 1],
            "vltava.cluster.size", 3,
            "vltava.cluster.discovery.method", "kubernetes-api",
            "vltava.cluster.discovery.kubernetes-api.api-server", "http://127.0.0.1:" + api.getAddress().getPort(),
            "vltava.cluster.discovery.kubernetes-api.namespace", NAMESPACE,
            "vltava.cluster.discovery.kubernetes-api.token-path", token.toString(),
            "vltava.cluster.discovery.kubernetes-api.ca-path", "");
        Path dataDir = baseDir.resolve("node-" + id);
        starting.add(CompletableFuture.supplyAsync(() -> {
          try {
            return TestNodes.start(dataDir, settings);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, runnable -> new Thread(runnable, "start-" + dataDir.getFileName()).start()));
      }
      CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).get(150, TimeUnit.SECONDS);

      // A node's metadata view is filled by replication after its start returns.
      for (CompletableFuture<VltavaNode> node : starting) {
        node.join().metadata().awaitState(state -> !state.clusterId().isEmpty()).get(60, TimeUnit.SECONDS);
      }
      Set<String> clusterIds = starting.stream().map(node -> node.join().metadata().current().clusterId()).collect(Collectors.toSet());
      assertEquals(1, clusterIds.size(), "one cluster, not several: " + clusterIds);
      for (CompletableFuture<VltavaNode> node : starting) {
        node.join().metadata().awaitState(state -> state.brokers().size() == 3).get(60, TimeUnit.SECONDS);
      }
      assertFalse(queries.isEmpty());
      assertEquals(Set.of("/api/v1/namespaces/" + NAMESPACE + "/pods?labelSelector=" + SELECTOR + " Bearer " + TOKEN),
          Set.copyOf(queries), "the pods are listed by label with the service account's token");
    } finally {
      for (CompletableFuture<VltavaNode> node : starting) {
        if (!node.isCompletedExceptionally() && node.isDone()) {
          node.join().close();
        }
      }
      api.stop(0);
    }
  }

  private static void answer(HttpExchange exchange, List<String> queries, String pods) throws IOException {
    String query = URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
    queries.add(exchange.getRequestURI().getPath() + "?" + query + " " + exchange.getRequestHeaders().getFirst("Authorization"));
    byte[] body = pods.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  /** A running pod as the API lists it, with the container ports the StatefulSet in deploy/kubernetes declares. */
  private static String pod(String name, String ip, int clusterPort) {
    return """
        {"metadata": {"name": "%s", "namespace": "%s", "labels": {"app.kubernetes.io/name": "vltava"}},
         "spec": {"containers": [{"name": "vltava", "ports": [
           {"name": "kafka", "containerPort": 9092, "protocol": "TCP"},
           {"name": "http", "containerPort": 9644, "protocol": "TCP"},
           {"name": "cluster", "containerPort": %d, "protocol": "TCP"}]}]},
         "status": {"phase": "Running", "podIP": "%s", "conditions": [{"type": "Ready", "status": "False"}]}}""".formatted(
        name, NAMESPACE, clusterPort, ip);
  }
}
