package io.vltava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.vltava.node.NodeSettings;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The manifests under deploy/kubernetes, checked without a cluster: every YAML document is a
 * Kubernetes object of a known kind and version whose every field the Kubernetes object model
 * (fabric8's) knows, and the objects fit together: selectors match the pods' labels, probes and
 * services point at the ports the image serves, the node's args are options the broker command
 * has, and the ConfigMap's configuration passes the node's own checks.
 */
class KubernetesManifestsTest {
  private static final Path DIR = Path.of("deploy", "kubernetes");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
      "v1/ServiceAccount", ServiceAccount.class,
      "rbac.authorization.k8s.io/v1/Role", Role.class,
      "rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class,
      "v1/ConfigMap", ConfigMap.class,
      "v1/Service", Service.class,
      "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
      "apps/v1/StatefulSet", StatefulSet.class);
  /** The ports the image's entrypoint (docker/Dockerfile) gives the node. */
  private static final Map<String, Integer> IMAGE_PORTS = Map.of("kafka", 9092, "http", 9644, "cluster", 25520);

  private static List<HasMetadata> objects;
  private static StatefulSet statefulSet;
  private static Container node;

  @BeforeAll
  static void readManifests() throws IOException {
    objects = new ArrayList<>();
    for (Path file : kustomizationResources()) {
      for (JsonNode document : YAML.readValues(YAML.createParser(file.toFile()), JsonNode.class).readAll()) {
        String kind = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
        Class<? extends HasMetadata> type = KINDS.get(kind);
        assertNotNull(type, file + ": unexpected object " + kind);
        HasMetadata object = YAML.treeToValue(document, type);
        List<String> unknown = new ArrayList<>();
        unknownFields(object, kind + " " + object.getMetadata().getName(), unknown, new IdentityHashMap<>());
        assertEquals(List.of(), unknown, file + ": fields the Kubernetes API does not have");
        objects.add(object);
      }
    }
    statefulSet = one(StatefulSet.class, "vltava");
    node = statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void aFieldTheKubernetesApiDoesNotHaveIsFound() throws IOException {
    JsonNode typo = YAML.readTree("""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: typo}
        spec:
          replica: 3
          template:
            spec:
              containers: [{name: vltava, image: vltava, readinesProbe: {httpGet: {path: /health/ready, port: http}}}]
        """);
    List<String> unknown = new ArrayList<>();
    unknownFields(YAML.treeToValue(typo, StatefulSet.class), "typo", unknown, new IdentityHashMap<>());
    assertEquals(List.of("typo.spec.replica", "typo.spec.template.spec.containers[0].readinesProbe"), unknown);
  }

  @Test
  void everyManifestIsListedInTheKustomizationAndHoldsEveryObjectTheClusterNeeds() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      Set<Path> manifests = files.filter(f -> f.toString().endsWith(".yaml") && !f.endsWith("kustomization.yaml"))
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(manifests, new TreeSet<>(kustomizationResources()));
    }
    assertEquals(Set.of(KINDS.values().toArray()), objects.stream().map(Object::getClass).collect(Collectors.toSet()));
  }

  @Test
  void selectorsMatchThePodsLabels() {
    Map<String, String> podLabels = statefulSet.getSpec().getTemplate().getMetadata().getLabels();
    assertContains(podLabels, statefulSet.getSpec().getSelector().getMatchLabels(), "StatefulSet selector");
    for (Service service : all(Service.class)) {
      assertContains(podLabels, service.getSpec().getSelector(), "Service " + service.getMetadata().getName());
    }
    PodDisruptionBudget budget = one(PodDisruptionBudget.class, "vltava");
    assertContains(podLabels, budget.getSpec().getSelector().getMatchLabels(), "PodDisruptionBudget selector");
    assertEquals(new IntOrString(1), budget.getSpec().getMaxUnavailable());
  }

  @Test
  void theStatefulSetHasAHeadlessServiceVolumesAndRollsOnePodAtATime() {
    Service headless = one(Service.class, statefulSet.getSpec().getServiceName());
    assertEquals("None", headless.getSpec().getClusterIP());
    assertTrue(headless.getSpec().getPublishNotReadyAddresses(), "pods are resolvable before they are ready (they become ready by joining)");
    assertEquals("Parallel", statefulSet.getSpec().getPodManagementPolicy(), "all pods start, so a new cluster can see them all");
    assertEquals("RollingUpdate", statefulSet.getSpec().getUpdateStrategy().getType());
    PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
    assertTrue(pod.getTerminationGracePeriodSeconds() >= 30, "an orderly stop is not cut short");
    Set<String> volumes = pod.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
    statefulSet.getSpec().getVolumeClaimTemplates().forEach(claim -> volumes.add(claim.getMetadata().getName()));
    for (VolumeMount mount : node.getVolumeMounts()) {
      assertTrue(volumes.contains(mount.getName()), "volume " + mount.getName());
    }
    VolumeMount data = node.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/var/lib/vltava")).findFirst().orElseThrow();
    assertTrue(statefulSet.getSpec().getVolumeClaimTemplates().stream().anyMatch(c -> c.getMetadata().getName().equals(data.getName())),
        "the data directory is a persistent volume");
  }

  @Test
  void probesAndServicesPointAtThePortsTheImageServes() {
    Map<String, Integer> containerPorts = node.getPorts().stream().collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
    assertEquals(IMAGE_PORTS, containerPorts);
    assertProbe(node.getReadinessProbe(), "/health/ready");
    assertProbe(node.getLivenessProbe(), "/health/alive");
    for (Service service : all(Service.class)) {
      for (ServicePort port : service.getSpec().getPorts()) {
        assertTrue(containerPorts.containsKey(port.getTargetPort().getStrVal()),
            "Service " + service.getMetadata().getName() + " port " + port.getName() + " targets a named container port");
      }
    }
  }

  @Test
  void thePodsServiceAccountMayListPods() {
    ServiceAccount account = one(ServiceAccount.class, statefulSet.getSpec().getTemplate().getSpec().getServiceAccountName());
    RoleBinding binding = all(RoleBinding.class).get(0);
    assertTrue(binding.getSubjects().stream().anyMatch(s -> s.getKind().equals("ServiceAccount")
        && s.getName().equals(account.getMetadata().getName())));
    Role role = one(Role.class, binding.getRoleRef().getName());
    assertTrue(role.getRules().stream().anyMatch(rule -> rule.getApiGroups().contains("") && rule.getResources().contains("pods")
        && rule.getVerbs().contains("list")));
  }

  @Test
  void theArgsAreBrokerOptionsAndEveryVariableTheyUseIsSet() {
    CommandLine.Model.CommandSpec broker = new CommandLine(new BrokerCommand()).getCommandSpec();
    Set<String> env = node.getEnv().stream().map(EnvVar::getName).collect(Collectors.toSet());
    Map<String, String> options = new HashMap<>();
    List<String> args = node.getArgs();
    for (int i = 0; i < args.size(); i += 2) {
      assertNotNull(broker.findOption(args.get(i)), args.get(i) + " is an option of `vltava broker`");
      options.put(args.get(i), args.get(i + 1));
      Matcher variable = Pattern.compile("\\$\\(([A-Z_]+)\\)").matcher(args.get(i + 1));
      while (variable.find()) {
        assertTrue(env.contains(variable.group(1)), "$(" + variable.group(1) + ") is set in the container's env");
      }
    }
    assertEquals(String.valueOf(statefulSet.getSpec().getReplicas()), options.get("--cluster-size"));
    assertTrue(options.get("--advertised-host").contains("." + statefulSet.getSpec().getServiceName() + "."),
        "brokers advertise their pod's name in the headless service");
    VolumeMount config = node.getVolumeMounts().stream().filter(m -> options.get("--config").startsWith(m.getMountPath() + "/"))
        .findFirst().orElseThrow();
    Volume volume = statefulSet.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(config.getName())).findFirst().orElseThrow();
    ConfigMap configMap = one(ConfigMap.class, volume.getConfigMap().getName());
    assertTrue(configMap.getData().containsKey(Path.of(options.get("--config")).getFileName().toString()));
  }

  @Test
  void theConfigMapPassesTheNodesChecksAndSelectsTheStatefulSetsPods() {
    ConfigMap configMap = one(ConfigMap.class, "vltava-config");
    Config config = NodeSettings.load(ConfigFactory.parseString(configMap.getData().get("vltava.conf")));
    assertEquals("kubernetes-api", config.getString("vltava.cluster.discovery.method"));
    assertEquals(statefulSet.getSpec().getReplicas().intValue(), config.getInt("vltava.cluster.size"));
    String[] selector = config.getString("vltava.cluster.discovery.kubernetes-api.pod-label-selector").split("=", 2);
    assertEquals(selector[1], statefulSet.getSpec().getTemplate().getMetadata().getLabels().get(selector[0]));
    String portName = config.getString("vltava.cluster.discovery.kubernetes-api.pod-port-name");
    assertTrue(node.getPorts().stream().anyMatch(p -> p.getName().equals(portName)));
    assertTrue(config.getInt("vltava.topic-defaults.min.insync.replicas") < config.getInt("vltava.topics.default.replication.factor"),
        "one node may be down (the PodDisruptionBudget allows it) and partitions stay writable");
  }

  private static void assertProbe(Probe probe, String path) {
    assertEquals(path, probe.getHttpGet().getPath());
    assertEquals("http", probe.getHttpGet().getPort().getStrVal());
  }

  private static void assertContains(Map<String, String> labels, Map<String, String> selector, String what) {
    assertTrue(selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet()),
        what + " " + selector + " selects the pods " + labels);
  }

  private static List<Path> kustomizationResources() throws IOException {
    JsonNode kustomization = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
    List<Path> files = new ArrayList<>();
    kustomization.path("resources").forEach(resource -> files.add(DIR.resolve(resource.asText())));
    return files;
  }

  private static <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T one(Class<T> type, String name) {
    return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
  }

  /**
   * Walks a fabric8 object: whatever the YAML had that the model does not know lands in an object's
   * additionalProperties, which must therefore be empty everywhere.
   */
  private static void unknownFields(Object value, String path, List<String> unknown, IdentityHashMap<Object, Boolean> seen) {
    if (value == null || seen.put(value, true) != null) {
      return;
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        unknownFields(item, path + "[" + i++ + "]", unknown, seen);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((key, item) -> unknownFields(item, path + "." + key, unknown, seen));
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    try {
      for (PropertyDescriptor property : Introspector.getBeanInfo(value.getClass(), Object.class).getPropertyDescriptors()) {
        Method getter = property.getReadMethod();
        if (getter == null) {
          continue;
        }
        Object child = getter.invoke(value);
        if (property.getName().equals("additionalProperties")) {
          ((Map<?, ?>) child).keySet().forEach(key -> unknown.add(path + "." + key));
        } else {
          unknownFields(child, path + "." + property.getName(), unknown, seen);
        }
      }
    } catch (ReflectiveOperationException | java.beans.IntrospectionException e) {
      throw new AssertionError(path, e);
    }
  }
}
