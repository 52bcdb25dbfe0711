import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The clients of bench/scale.sh, run with Java's source launcher on the Kafka 4.3.1 classpath. Each
 * command prints one line of space-separated numbers on stdout and exits non-zero when the broker
 * did not give the expected answer. Topics are "<prefix>-NNNN" with up to 100 partitions each.
 *
 *   create BOOTSTRAP PREFIX PARTITIONS RF      -> ms until created and every partition has a leader
 *   ready BOOTSTRAP PREFIX PARTITIONS SINCE_MS TIMEOUT_S
 *                                              -> ms since SINCE_MS (epoch ms) until Metadata (all
 *                                                 topics) lists every partition with a leader
 *   metadata BOOTSTRAP PREFIX PARTITIONS REPEATS
 *                                              -> p50 and max ms of a Metadata request for all topics
 *   pass BOOTSTRAP PREFIX PARTITIONS           -> ms to produce one record to every partition (acks=all)
 *                                                 and ms to consume them all back
 *   connections HOST:PORT N                    -> N connections held open at once, each answered
 *                                                 (ApiVersions, then Metadata for no topics): prints answered count and ms
 */
public final class ScaleClient {
  private static final int PER_TOPIC = 100;

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "create" -> create(args[1], args[2], Integer.parseInt(args[3]), Short.parseShort(args[4]));
      case "ready" -> ready(args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]), Integer.parseInt(args[5]));
      case "metadata" -> metadata(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      case "pass" -> pass(args[1], args[2], Integer.parseInt(args[3]));
      case "connections" -> connections(args[1], Integer.parseInt(args[2]));
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  static List<NewTopic> topics(String prefix, int partitions, short rf) {
    List<NewTopic> topics = new ArrayList<>();
    for (int t = 0, left = partitions; left > 0; t++, left -= PER_TOPIC) {
      topics.add(new NewTopic(String.format("%s-%04d", prefix, t), Math.min(PER_TOPIC, left), rf));
    }
    return topics;
  }

  static void create(String bootstrap, String prefix, int partitions, short rf) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 600_000);
    long start = System.nanoTime();
    try (Admin admin = Admin.create(props)) {
      List<NewTopic> all = topics(prefix, partitions, rf);
      // 20 topics (2,000 partitions) per request: well under both brokers' 10,000-record limit.
      for (int i = 0; i < all.size(); i += 20) {
        admin.createTopics(all.subList(i, Math.min(all.size(), i + 20))).all().get(10, TimeUnit.MINUTES);
      }
    }
    awaitLeaders(bootstrap, prefix, partitions, 600);
    System.out.println((System.nanoTime() - start) / 1_000_000);
  }

  static void ready(String bootstrap, String prefix, int partitions, long sinceMs, int timeoutS) throws Exception {
    awaitLeaders(bootstrap, prefix, partitions, timeoutS);
    System.out.println(System.currentTimeMillis() - sinceMs);
  }

  /** Polls a Metadata request for all topics on each bootstrap address until every one lists the partitions with leaders. */
  static void awaitLeaders(String bootstrap, String prefix, int partitions, int timeoutS) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
    for (String address : bootstrap.split(",")) {
      int seen = -1;
      while (true) {
        try (Connection c = Connection.open(address)) {
          seen = c.ledPartitions(prefix);
          if (seen >= partitions) {
            break;
          }
        } catch (IOException notYet) {
          // The broker does not accept connections yet.
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(address + " lists " + seen + " partitions with leaders, not " + partitions);
        }
        Thread.sleep(200); // the broker offers no event to wait on from outside
      }
    }
  }

  static void metadata(String bootstrap, String prefix, int partitions, int repeats) throws Exception {
    long[] ms = new long[repeats];
    try (Connection c = Connection.open(bootstrap.split(",")[0])) {
      for (int i = 0; i < repeats; i++) {
        long start = System.nanoTime();
        int seen = c.ledPartitions(prefix);
        ms[i] = (System.nanoTime() - start) / 1_000_000;
        if (seen < partitions) {
          throw new IllegalStateException("Metadata listed " + seen + " partitions with leaders, not " + partitions);
        }
      }
    }
    Arrays.sort(ms);
    System.out.println(ms[repeats / 2] + " " + ms[repeats - 1]);
  }

  static void pass(String bootstrap, String prefix, int partitions) throws Exception {
    List<TopicPartition> all = new ArrayList<>();
    for (NewTopic topic : topics(prefix, partitions, (short) 1)) {
      for (int p = 0; p < topic.numPartitions(); p++) {
        all.add(new TopicPartition(topic.name(), p));
      }
    }
    byte[] value = new byte[100];
    Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    pp.put(ProducerConfig.ACKS_CONFIG, "all");
    pp.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
    pp.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
    pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (TopicPartition tp : all) {
        sent.add(producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, value)));
      }
      for (var f : sent) {
        f.get(10, TimeUnit.MINUTES);
      }
    }
    long produceMs = (System.nanoTime() - start) / 1_000_000;
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    cp.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4096);
    start = System.nanoTime();
    Map<TopicPartition, Integer> got = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp)) {
      consumer.assign(all);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (got.size() < all.size() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> got.merge(new TopicPartition(r.topic(), r.partition()), 1, Integer::sum));
      }
    }
    long consumeMs = (System.nanoTime() - start) / 1_000_000;
    if (got.size() != all.size()) {
      throw new IllegalStateException("consumed from " + got.size() + " of " + all.size() + " partitions");
    }
    System.out.println(produceMs + " " + consumeMs);
  }

  static void connections(String address, int n) throws Exception {
    List<Connection> open = new ArrayList<>();
    long start = System.nanoTime();
    int answered = 0;
    try {
      for (int i = 0; i < n; i++) {
        open.add(Connection.open(address));
      }
      // Every connection sends before any reads: the broker holds all of them at once.
      for (Connection c : open) {
        c.send(new ApiVersionsRequest.Builder(new ApiVersionsRequestData()
            .setClientSoftwareName("scale-bench").setClientSoftwareVersion("1"), (short) 3, (short) 3).build((short) 3));
      }
      for (Connection c : open) {
        ApiVersionsResponse versions = (ApiVersionsResponse) c.receive();
        if (versions.data().errorCode() == 0 && c.brokers() > 0) {
          answered++;
        }
      }
    } finally {
      for (Connection c : open) {
        c.close();
      }
    }
    System.out.println(answered + " " + (System.nanoTime() - start) / 1_000_000);
    if (answered != n) {
      System.exit(1);
    }
  }

  /** One Kafka-protocol connection, one request in flight. */
  static final class Connection implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private RequestHeader lastHeader;
    private int correlationId;

    private Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.out = new DataOutputStream(socket.getOutputStream());
      this.in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
    }

    static Connection open(String address) throws IOException {
      int colon = address.lastIndexOf(':');
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))), 10_000);
        socket.setSoTimeout(120_000);
      } catch (IOException e) {
        socket.close();
        throw e;
      }
      return new Connection(socket);
    }

    void send(AbstractRequest request) throws IOException {
      lastHeader = new RequestHeader(request.apiKey(), request.version(), "scale-bench", ++correlationId);
      ByteBuffer bytes = request.serializeWithHeader(lastHeader);
      out.writeInt(bytes.remaining());
      out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
      out.flush();
    }

    AbstractResponse receive() throws IOException {
      byte[] body = new byte[in.readInt()];
      in.readFully(body);
      return AbstractResponse.parseResponse(ByteBuffer.wrap(body), lastHeader);
    }

    /** Brokers in a Metadata answer for no topics (the cheapest Metadata a client sends). */
    int brokers() throws IOException {
      send(new MetadataRequest.Builder(new MetadataRequestData().setTopics(List.of()).setAllowAutoTopicCreation(false)).build((short) 12));
      return ((MetadataResponse) receive()).data().brokers().size();
    }

    /** Partitions with a leader of the topics named {@code prefix}... in a Metadata answer for all topics. */
    int ledPartitions(String prefix) throws IOException {
      send(new MetadataRequest.Builder(new MetadataRequestData().setTopics(null).setAllowAutoTopicCreation(false)).build((short) 12));
      MetadataResponse response = (MetadataResponse) receive();
      int led = 0;
      for (var topic : response.data().topics()) {
        if (!topic.name().startsWith(prefix)) {
          continue;
        }
        for (var partition : topic.partitions()) {
          if (partition.errorCode() == 0 && partition.leaderId() >= 0) {
            led++;
          }
        }
      }
      return led;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
