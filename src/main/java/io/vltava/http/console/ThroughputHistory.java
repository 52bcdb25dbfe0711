package io.vltava.http.console;

import io.vltava.http.Throughput;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's recent throughput, for the console's charts: samples of its cumulative counters taken
 * at a steady interval, turned into per-second rates between neighbours. Keeps the last
 * {@code capacity} samples. Thread-safe.
 */
final class ThroughputHistory {
  /** Rates over one interval: messages and bytes in, messages and bytes out per second, at the interval's end. */
  record Rate(long atMs, double messagesInPerSec, double bytesInPerSec, double messagesOutPerSec, double bytesOutPerSec) {}

  private final int capacity;
  private final ArrayDeque<Throughput> samples = new ArrayDeque<>();

  ThroughputHistory(int capacity) {
    this.capacity = capacity;
  }

  synchronized void add(Throughput sample) {
    if (!samples.isEmpty() && sample.atMs() <= samples.peekLast().atMs()) {
      return;
    }
    samples.addLast(sample);
    while (samples.size() > capacity) {
      samples.removeFirst();
    }
  }

  synchronized List<Rate> rates() {
    List<Rate> rates = new ArrayList<>();
    Throughput previous = null;
    for (Throughput sample : samples) {
      if (previous != null) {
        double seconds = (sample.atMs() - previous.atMs()) / 1000.0;
        rates.add(new Rate(sample.atMs(),
            perSecond(previous.messagesIn(), sample.messagesIn(), seconds),
            perSecond(previous.bytesIn(), sample.bytesIn(), seconds),
            perSecond(previous.messagesOut(), sample.messagesOut(), seconds),
            perSecond(previous.bytesOut(), sample.bytesOut(), seconds)));
      }
      previous = sample;
    }
    return rates;
  }

  /** A counter that went down was reset (a topic deleted and its meters gone): no rate below 0. */
  private static double perSecond(double before, double after, double seconds) {
    return Math.max(0, after - before) / seconds;
  }
}
