import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * The fault suite's helper (run.sh runs it with the source launcher on the kafka-tools classpath).
 *
 * <pre>
 * view NODE_ADDR... TOPIC          one line per node: what that node alone says (members, controller, leader, ISR,
 *                                  and whether its data dir reports an error: a replica offline after an I/O error)
 * await-healthy SECONDS TOPIC NODE_ADDR...   waits until every node gives the same full view; exit 1 if not in time
 * check PRODUCER_JSONL CONSUMER_JSONL FAULTS_LOG   prints the report; exit 1 if an acknowledged record was lost,
 *                                  duplicated or reordered
 * </pre>
 */
public final class FaultTool {
  private static final Pattern NAME = Pattern.compile("\"name\":\"([a-z_]+)\"");
  private static final Pattern VALUE = Pattern.compile("\"value\":\"([0-9]+)\"");
  private static final Pattern OFFSET = Pattern.compile("\"offset\":([0-9]+)");
  private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\":([0-9]+)");

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "view" -> {
        String topic = args[args.length - 1];
        for (int i = 1; i < args.length - 1; i++) {
          System.out.println(args[i] + " " + view(args[i], topic));
        }
      }
      case "await-healthy" -> System.exit(awaitHealthy(Duration.ofSeconds(Long.parseLong(args[1])), args[2],
          List.of(args).subList(3, args.length)) ? 0 : 1);
      case "check" -> System.exit(check(Path.of(args[1]), Path.of(args[2]), Path.of(args[3])) ? 0 : 1);
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  /** What one node answers, asked alone: "members=1,2,3 controller=1 leader=2 isr=1,2,3", or "unreachable". */
  static String view(String address, String topic) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    try (Admin admin = Admin.create(config)) {
      DescribeClusterResult cluster = admin.describeCluster();
      String members = cluster.nodes().get(5, TimeUnit.SECONDS).stream().map(Node::id).sorted()
          .map(String::valueOf).collect(Collectors.joining(","));
      Node controller = cluster.controller().get(5, TimeUnit.SECONDS);
      TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS).get(topic);
      TopicPartitionInfo partition = description.partitions().get(0);
      String isr = partition.isr().stream().map(Node::id).sorted().map(String::valueOf).collect(Collectors.joining(","));
      return "members=" + members + " controller=" + (controller == null ? "none" : controller.id())
          + " leader=" + (partition.leader() == null ? "none" : partition.leader().id()) + " isr=" + isr
          + " logdir=" + logDirState(admin, cluster.nodes().get(5, TimeUnit.SECONDS), address);
    } catch (Exception e) {
      return "unreachable";
    }
  }

  /** "ok", or the error the node at {@code address} reports for its own data dir (a replica offline after an I/O error). */
  private static String logDirState(Admin admin, java.util.Collection<Node> nodes, String address) throws Exception {
    int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    int nodeId = nodes.stream().filter(n -> n.port() == port).findFirst().orElseThrow().id();
    return admin.describeLogDirs(List.of(nodeId)).descriptions().get(nodeId).get(5, TimeUnit.SECONDS).values().stream()
        .map(dir -> dir.error() == null ? "ok" : dir.error().getClass().getSimpleName())
        .filter(state -> !state.equals("ok")).findFirst().orElse("ok");
  }

  private static boolean awaitHealthy(Duration limit, String topic, List<String> addresses) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    List<String> views = List.of();
    while (System.nanoTime() < deadline) {
      views = addresses.stream().map(a -> view(a, topic)).toList();
      String first = views.get(0);
      boolean full = first.startsWith("members=" + "1,2,3 ") && first.endsWith("isr=1,2,3 logdir=ok") && !first.contains("none");
      if (full && views.stream().allMatch(first::equals)) {
        System.out.println("agreed: " + first);
        return true;
      }
      Thread.sleep(1000);
    }
    System.out.println("no agreement after " + limit.toSeconds() + " s: " + views);
    return false;
  }

  private record Ack(long value, long offset, long timestamp) {}

  private static boolean check(Path producerLog, Path consumerLog, Path faultsLog) throws Exception {
    TreeMap<Long, Ack> acked = new TreeMap<>();
    TreeSet<Long> attempted = new TreeSet<>();
    for (String line : Files.readAllLines(producerLog)) {
      String name = group(NAME, line);
      String value = group(VALUE, line);
      if (value == null || name == null) {
        continue;
      }
      long v = Long.parseLong(value);
      if (name.equals("producer_send_success")) {
        attempted.add(v);
        acked.put(v, new Ack(v, Long.parseLong(group(OFFSET, line)), Long.parseLong(group(TIMESTAMP, line))));
      } else if (name.equals("producer_send_error")) {
        attempted.add(v);
      }
    }
    // The final read, in offset order: value -> offsets it was read at.
    TreeMap<Long, Long> readByOffset = new TreeMap<>();
    for (String line : Files.readAllLines(consumerLog)) {
      if ("record_data".equals(group(NAME, line))) {
        readByOffset.put(Long.parseLong(group(OFFSET, line)), Long.parseLong(group(VALUE, line)));
      }
    }
    Map<Long, List<Long>> offsetsByValue = new HashMap<>();
    readByOffset.forEach((offset, value) -> offsetsByValue.computeIfAbsent(value, v -> new ArrayList<>()).add(offset));
    List<Long> lost = acked.keySet().stream().filter(v -> !offsetsByValue.containsKey(v)).toList();
    List<Long> duplicated = offsetsByValue.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).sorted().toList();
    List<Long> moved = acked.values().stream()
        .filter(a -> offsetsByValue.containsKey(a.value()) && !offsetsByValue.get(a.value()).contains(a.offset()))
        .map(Ack::value).toList();
    long reordered = 0;
    long previous = -1;
    for (long value : readByOffset.values()) {
      if (acked.containsKey(value)) {
        if (value < previous) {
          reordered++;
        }
        previous = Math.max(previous, value);
      }
    }
    System.out.printf("sends attempted %d, acknowledged %d, read back %d records%n", attempted.size(), acked.size(), readByOffset.size());
    System.out.printf("acknowledged but lost %d%s%n", lost.size(), sample(lost));
    System.out.printf("duplicated %d%s%n", duplicated.size(), sample(duplicated));
    System.out.printf("reordered %d, acknowledged at another offset than read %d%s%n", reordered, moved.size(), sample(moved));
    printUnavailability(acked, faultsLog);
    return lost.isEmpty() && duplicated.isEmpty() && reordered == 0 && moved.isEmpty() && !acked.isEmpty();
  }

  /** Per fault (faults.log: "START_MS END_MS NAME"), the longest gap between acknowledgements from its start to the next fault. */
  private static void printUnavailability(TreeMap<Long, Ack> acked, Path faultsLog) throws Exception {
    long[] ackTimes = acked.values().stream().mapToLong(Ack::timestamp).sorted().toArray();
    List<String[]> faults = Files.readAllLines(faultsLog).stream().filter(l -> !l.isBlank()).map(l -> l.split(" ", 3)).toList();
    for (int i = 0; i < faults.size(); i++) {
      long start = Long.parseLong(faults.get(i)[0]);
      long end = i + 1 < faults.size() ? Long.parseLong(faults.get(i + 1)[0]) : Long.MAX_VALUE;
      long previous = start;
      long longest = 0;
      for (long t : ackTimes) {
        if (t > start && t <= end) {
          longest = Math.max(longest, t - previous);
          previous = t;
        }
      }
      if (previous == start) {
        System.out.printf("fault %-40s no acknowledgement after it%n", faults.get(i)[2]);
      } else {
        System.out.printf("fault %-40s longest gap between acks %.1f s%n", faults.get(i)[2], longest / 1000.0);
      }
    }
  }

  private static String sample(List<Long> values) {
    return values.isEmpty() ? "" : " (first: " + values.subList(0, Math.min(10, values.size())) + ")";
  }

  private static String group(Pattern pattern, String line) {
    Matcher m = pattern.matcher(line);
    return m.find() ? m.group(1) : null;
  }
}
