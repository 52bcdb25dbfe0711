package io.vltava.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `vltava` command line: one jar, one entry point, a sub-command per role. */
@Command(
    name = "vltava",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "A Kafka-compatible event-streaming platform built as a Pekko cluster.",
    subcommands = {BrokerCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
