package io.vltava.http.console;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.node.TestNodes;
import io.vltava.testkit.VltavaCluster;
import java.io.File;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's headless Chromium through its ChromeDriver) against
 * a real three-node cluster: a topic created in the page, records produced by a Kafka client read
 * back in the message browser, a group's lag per partition after a partial commit. Saves
 * screenshots under {@code target/console-screenshots/} (the README's is {@code docs/console.png}).
 */
@Tag("browser")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ConsoleBrowserIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration PAGE_WAIT = Duration.ofSeconds(30);
  private static final int PARTITIONS = 3;
  private static final int RECORDS_PER_PARTITION = 10;
  /** What the group commits per partition before it stops: lag 6, 3 and 0. */
  private static final long[] COMMITTED = {4, 7, 10};

  @TempDir
  Path tempDir;

  @Test
  void topicMessagesAndLagInTheBrowser() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, tempDir.resolve("cluster"))) {
      var http = cluster.node(1).httpAddress().orElseThrow();
      String console = "http://" + http.getHostString() + ":" + http.getPort() + "/";
      WebDriver browser = chromium(tempDir.resolve("chromium-profile"));
      try {
        createTopicInThePage(browser, console);
        produce(cluster.bootstrapServers());
        seeRecordsInTheMessageBrowser(browser, console);
        consumeAndCommitPartWay(cluster.bootstrapServers());
        seeTheGroupsLag(browser, console);
        produceForTheCharts(cluster.bootstrapServers(), console);
        browser.get(console + "#/");
        waitFor(browser, d -> d.findElements(By.cssSelector(".uplot canvas")).size() == 2
            && rows(d, "node-row", "td:nth-child(5)").equals(List.of(List.of("up"), List.of("up"), List.of("up")))
            // A new cluster had no logs to recover; the long operations panel says so.
            && d.findElements(By.cssSelector("[data-test=recovery]")).stream()
                .anyMatch(e -> e.getText().equals("No partition logs to recover at start-up.")));
        screenshot(browser, "overview");
        ((JavascriptExecutor) browser).executeScript("document.querySelector('[data-test=recovery]').scrollIntoView()");
        screenshot(browser, "overview-long-operations");
      } finally {
        browser.quit();
      }
    }
  }

  private void createTopicInThePage(WebDriver browser, String console) throws Exception {
    browser.get(console + "#/topics");
    waitFor(browser, d -> !d.findElements(By.cssSelector("[data-test=new-topic-name]")).isEmpty());
    browser.findElement(By.cssSelector("[data-test=new-topic-name]")).sendKeys("orders");
    browser.findElement(By.cssSelector("[data-test=new-topic-partitions]")).clear();
    browser.findElement(By.cssSelector("[data-test=new-topic-partitions]")).sendKeys(Integer.toString(PARTITIONS));
    browser.findElement(By.cssSelector("[data-test=new-topic-replication]")).sendKeys("3");
    browser.findElement(By.cssSelector("[data-test=create-topic]")).click();
    // The page moves to the new topic and lists its partitions, each with three replicas in sync.
    waitFor(browser, d -> d.getCurrentUrl().endsWith("#/topics/orders") && rows(d, "partition-row", "td:nth-child(1)").size() == PARTITIONS);
    List<List<String>> partitions = rows(browser, "partition-row", "td:nth-child(1)", "td:nth-child(3)", "td:nth-child(4)");
    for (int p = 0; p < PARTITIONS; p++) {
      assertEquals(Integer.toString(p), partitions.get(p).get(0));
      assertEquals(3, partitions.get(p).get(1).split(", ").length, partitions.toString());
    }
    screenshot(browser, "topic");
  }

  private static void produce(String bootstrap) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(bootstrap))) {
      for (int i = 0; i < PARTITIONS * RECORDS_PER_PARTITION; i++) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("orders", i % PARTITIONS, bytes("order-" + i),
            bytes("{\"order\":" + i + ",\"amount\":" + (i * 10 + 5) + "}"));
        record.headers().add("source", bytes("browser-test")).add("seq", bytes(Integer.toString(i)));
        producer.send(record);
      }
      producer.flush();
    }
  }

  private void seeRecordsInTheMessageBrowser(WebDriver browser, String console) throws Exception {
    browser.get(console + "#/messages");
    waitFor(browser, d -> !d.findElements(By.cssSelector("[data-test=browse-topic] option[value=orders]")).isEmpty());
    new Select(browser.findElement(By.cssSelector("[data-test=browse-topic]"))).selectByValue("orders");
    browser.findElement(By.cssSelector("[data-test=browse-partition]")).clear();
    browser.findElement(By.cssSelector("[data-test=browse-partition]")).sendKeys("1");
    new Select(browser.findElement(By.cssSelector("[data-test=browse-from]"))).selectByValue("offset");
    browser.findElement(By.cssSelector("[data-test=browse-offset]")).clear();
    browser.findElement(By.cssSelector("[data-test=browse-offset]")).sendKeys("2");
    browser.findElement(By.cssSelector("[data-test=browse]")).click();
    waitFor(browser, d -> rows(d, "message-row", "td:nth-child(1)").size() == RECORDS_PER_PARTITION - 2);
    List<List<String>> shown = rows(browser, "message-row", "td:nth-child(1)", ".key", ".value", ".headers .tag");
    List<List<String>> expected = new ArrayList<>();
    for (int offset = 2; offset < RECORDS_PER_PARTITION; offset++) {
      int i = offset * PARTITIONS + 1;
      expected.add(List.of(Integer.toString(offset), "order-" + i, "{\"order\":" + i + ",\"amount\":" + (i * 10 + 5) + "}",
          "source=browser-test | seq=" + i));
    }
    assertEquals(expected, shown);
    assertEquals("offsets 0 to 10 · showing 8 from offset 2",
        browser.findElement(By.cssSelector("[data-test=browse-summary]")).getText());
    screenshot(browser, "messages");
  }

  private static void consumeAndCommitPartWay(String bootstrap) {
    Properties props = TestNodes.consumerProps(bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "billing");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "billing-1");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of("orders"));
      Map<TopicPartition, List<String>> read = TestNodes.pollValues(consumer, PARTITIONS * RECORDS_PER_PARTITION);
      assertEquals(PARTITIONS * RECORDS_PER_PARTITION, read.values().stream().mapToInt(List::size).sum());
      Map<TopicPartition, OffsetAndMetadata> commits = new java.util.HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        commits.put(new TopicPartition("orders", p), new OffsetAndMetadata(COMMITTED[p]));
      }
      consumer.commitSync(commits);
    }
  }

  private void seeTheGroupsLag(WebDriver browser, String console) throws Exception {
    browser.get(console + "#/groups");
    waitFor(browser, d -> rows(d, "group-row", "td:nth-child(1)").contains(List.of("billing")));
    browser.findElement(By.linkText("billing")).click();
    // The consumer has left: the group is empty, and the page shows what it committed against each partition's end.
    List<List<String>> expected = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      expected.add(List.of("orders", Integer.toString(p), Long.toString(COMMITTED[p]), Integer.toString(RECORDS_PER_PARTITION),
          Long.toString(RECORDS_PER_PARTITION - COMMITTED[p])));
    }
    waitFor(browser, d -> rows(d, "lag-row", "td:nth-child(1)", "td:nth-child(2)", ".committed", ".end", ".lag").equals(expected)
        && d.findElement(By.cssSelector("[data-test=total-lag] .value")).getText().equals("9")
        && d.findElement(By.cssSelector(".cards .badge")).getText().equals("Empty"));
    assertTrue(browser.findElement(By.cssSelector("[data-test=reset-offsets]")).isEnabled(), "an empty group's offsets can be reset");
    screenshot(browser, "group");
  }

  /**
   * Paced load on another topic (the group's lag stays as it is), so the throughput charts have a
   * shape: a batch, then wait until the node has taken its next one-second sample, eight times. Its
   * three partitions spread over the nodes, so the charted node leads one of them.
   */
  private static void produceForTheCharts(String bootstrap, String console) throws Exception {
    try (Admin admin = Admin.create(TestNodes.adminProps(bootstrap))) {
      admin.createTopics(List.of(new NewTopic("page-views", PARTITIONS, (short) 1))).all().get();
    }
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest throughput = HttpRequest.newBuilder(java.net.URI.create(console + "api/throughput")).timeout(PAGE_WAIT).build();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(bootstrap))) {
      for (int round = 1; round <= 8; round++) {
        for (int i = 0; i < 50 * round; i++) {
          producer.send(new ProducerRecord<>("page-views", bytes("page-" + i % 7), bytes("{\"view\":" + i + "}")));
        }
        producer.flush();
        String before = http.send(throughput, HttpResponse.BodyHandlers.ofString()).body();
        await().atMost(Duration.ofSeconds(10)).until(() -> !http.send(throughput, HttpResponse.BodyHandlers.ofString()).body().equals(before));
      }
    }
  }

  /**
   * For each row marked {@code data-test=<row>}, the text of each cell selector (several matches joined by " | "),
   * read in one go in the page, so a redraw cannot leave stale elements behind.
   */
  @SuppressWarnings("unchecked")
  private static List<List<String>> rows(WebDriver browser, String row, String... cells) {
    Object result = ((JavascriptExecutor) browser).executeScript(
        "return [...document.querySelectorAll('[data-test=' + arguments[0] + ']')]"
            + ".map(r => arguments[1].map(c => [...r.querySelectorAll(c)].map(e => e.textContent.trim()).join(' | ')));",
        row, List.of(cells));
    return (List<List<String>>) result;
  }

  /** Waits for the page to meet {@code condition}; on time-out the failure shows where the page is and what it says. */
  private static void waitFor(WebDriver browser, Function<WebDriver, Boolean> condition) throws Exception {
    try {
      new WebDriverWait(browser, PAGE_WAIT).ignoring(StaleElementReferenceException.class).until(condition::apply);
    } catch (TimeoutException e) {
      screenshot(browser, "failure");
      StringBuilder console = new StringBuilder();
      browser.manage().logs().get(LogType.BROWSER).forEach(entry -> console.append(entry).append('\n'));
      throw new AssertionError("The page at " + browser.getCurrentUrl() + " never showed what was expected; it shows:\n"
          + browser.findElement(By.tagName("body")).getText() + "\nIts console:\n" + console, e);
    }
  }

  private static void screenshot(WebDriver browser, String name) throws Exception {
    Path dir = Path.of("target", "console-screenshots");
    Files.createDirectories(dir);
    File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  /** Debian's Chromium, headless, with a fresh profile and every background connection off (the test machine has no network). */
  private static WebDriver chromium(Path profile) throws Exception {
    for (Path program : List.of(CHROMIUM, CHROMEDRIVER)) {
      assertTrue(Files.isExecutable(program), program + " is missing: apt-get install chromium chromium-driver (.ci/run does)");
    }
    Files.createDirectories(profile);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1360,1000", "--user-data-dir=" + profile.toAbsolutePath());
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    return new ChromeDriver(service, options);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
