package io.vltava.node;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a data directory remembers of the cluster it belongs to, in {@code meta.properties} as Kafka
 * keeps it: the cluster id, this node's id, and the cluster endpoints ("host:port") of the other members
 * it has seen, which it probes after a restart besides its seeds. Written once the node is a member,
 * before it holds any partition: a directory without the file has never belonged to a cluster, unless
 * it holds partition data (an older Vltava wrote it). Written atomically (temp file and
 * rename), so a crash leaves the old file or the new one. Immutable.
 */
record ClusterMeta(String clusterId, int nodeId, SortedSet<String> knownNodes) {
  static final String FILE_NAME = "meta.properties";

  ClusterMeta {
    knownNodes = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(knownNodes));
  }

  /** The directory's record, or empty if it has never belonged to a cluster. */
  static Optional<ClusterMeta> read(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(reader);
    }
    String clusterId = props.getProperty("cluster.id");
    String nodeId = props.getProperty("node.id");
    if (clusterId == null || clusterId.isBlank() || nodeId == null) {
      throw new IOException(file + " lacks cluster.id or node.id; restore it or move the data directory aside");
    }
    String known = props.getProperty("known.nodes", "");
    SortedSet<String> knownNodes = new TreeSet<>();
    Arrays.stream(known.split(",")).map(String::trim).filter(node -> !node.isEmpty()).forEach(knownNodes::add);
    return Optional.of(new ClusterMeta(clusterId, Integer.parseInt(nodeId.trim()), knownNodes));
  }

  /**
   * Whether {@code dataDir} holds partition logs: without meta.properties, the mark of a directory
   * an older Vltava wrote (this one records the cluster before it holds any partition).
   */
  static boolean holdsPartitionData(Path dataDir) throws IOException {
    try (java.util.stream.Stream<Path> entries = Files.list(dataDir)) {
      return entries.anyMatch(entry -> Files.isDirectory(entry) && io.vltava.log.PartitionLog.holdsSegments(entry));
    }
  }

  void write(Path dataDir) throws IOException {
    Properties props = new Properties();
    props.setProperty("version", "1");
    props.setProperty("cluster.id", clusterId);
    props.setProperty("node.id", Integer.toString(nodeId));
    props.setProperty("known.nodes", String.join(",", knownNodes));
    Path temp = dataDir.resolve(FILE_NAME + ".tmp");
    try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
      props.store(writer, "Vltava node identity; do not edit");
    }
    Files.move(temp, dataDir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  ClusterMeta withKnownNodes(java.util.Collection<String> nodes) {
    SortedSet<String> all = new TreeSet<>(knownNodes);
    all.addAll(nodes);
    return new ClusterMeta(clusterId, nodeId, all);
  }
}
