package io.vltava.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `vltava broker`: runs one node until SIGTERM or Ctrl-C. */
@Command(name = "broker", mixinStandardHelpOptions = true, description = "Start a Vltava node.")
final class BrokerCommand implements java.util.concurrent.Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(BrokerCommand.class);

  @Option(names = "--host", description = "Kafka listener host (default: ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1")
  String host;

  @Option(names = "--port", description = "Kafka listener port (default: ${DEFAULT-VALUE}).", defaultValue = "9092")
  int port;

  @Override
  public Integer call() throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
    log.info("Vltava node will listen for Kafka clients on {}:{}", host, port);
    stopped.await();
    return 0;
  }
}
