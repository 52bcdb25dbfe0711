package io.vltava.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.pekko.Done;

/**
 * The remote consumer transport: a kafka-clients {@link KafkaConsumer} talking the Kafka protocol
 * to any Vltava or Kafka broker.
 *
 * <p>KafkaConsumer is not thread-safe, so it is confined to one dedicated thread per transport:
 * every use of it is a task on {@link #thread}, and results complete there. Only {@code wakeup()}
 * is called from outside, as kafka-clients allows.
 */
public final class RemoteConsumerTransport<K, V> implements ConsumerTransport<K, V> {

  /** Opens a remote transport from the settings' bootstrap servers, group and properties. */
  public static final ConsumerTransport.Factory FACTORY = new ConsumerTransport.Factory() {
    @Override
    public <K2, V2> ConsumerTransport<K2, V2> open(ConsumerSettings<K2, V2> settings, Subscription subscription) {
      return new RemoteConsumerTransport<>(settings, subscription);
    }
  };

  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  private final ConsumerSettings<K, V> settings;
  private final ScheduledExecutorService thread;
  private final CompletableFuture<Done> closed = new CompletableFuture<>();
  // Only touched on `thread`.
  private KafkaConsumer<K, V> consumer;
  private RuntimeException openFailure;
  private long lastPollNanos = System.nanoTime();
  private final Set<TopicPartition> revokedSinceFetch = new HashSet<>();
  private boolean released;
  private final AtomicBoolean closeRequested = new AtomicBoolean();

  private RemoteConsumerTransport(ConsumerSettings<K, V> settings, Subscription subscription) {
    this.settings = settings;
    this.thread = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread t = new Thread(task, "vltava-consumer-" + THREAD_IDS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    thread.execute(() -> open(subscription));
    if (subscription instanceof Subscription.Topics) {
      long intervalMs = settings.keepAliveInterval().toMillis();
      thread.scheduleWithFixedDelay(this::keepAlive, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }
  }

  private void open(Subscription subscription) {
    try {
      consumer = new KafkaConsumer<>(settings.kafkaProperties(), settings.keyDeserializer(), settings.valueDeserializer());
      if (subscription instanceof Subscription.Topics topics) {
        consumer.subscribe(topics.topics(), new ConsumerRebalanceListener() {
          // Called on `thread`, inside poll.
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            revokedSinceFetch.addAll(partitions);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}

          @Override
          public void onPartitionsLost(Collection<TopicPartition> partitions) {
            revokedSinceFetch.addAll(partitions);
          }
        });
      } else if (subscription instanceof Subscription.Assignment assignment) {
        consumer.assign(assignment.partitions());
      } else if (subscription instanceof Subscription.AssignmentWithOffset withOffsets) {
        consumer.assign(withOffsets.offsets().keySet());
        withOffsets.offsets().forEach(consumer::seek);
      }
    } catch (RuntimeException e) {
      openFailure = e;
    }
  }

  @Override
  public CompletionStage<Fetched<K, V>> fetch(FetchLimit limit) {
    return onThread(() -> {
      if (!consumer.paused().isEmpty()) {
        consumer.resume(consumer.paused());
      }
      ConsumerRecords<K, V> records;
      try {
        records = consumer.poll(settings.pollTimeout());
      } catch (WakeupException e) {
        return new Fetched<>(List.of(), false);
      } finally {
        lastPollNanos = System.nanoTime();
      }
      Fetched<K, V> fetched = take(records, limit);
      if (revokedSinceFetch.isEmpty()) {
        return fetched;
      }
      Set<TopicPartition> revoked = Set.copyOf(revokedSinceFetch);
      revokedSinceFetch.clear();
      return new Fetched<>(fetched.records(), fetched.truncated(), revoked);
    });
  }

  /**
   * Keeps what fits in {@code limit} and seeks each partition back to its first record left out,
   * so that record is fetched again later instead of being held here.
   */
  private Fetched<K, V> take(ConsumerRecords<K, V> records, FetchLimit limit) {
    List<ConsumerRecord<K, V>> taken = new ArrayList<>(Math.min(records.count(), limit.maxRecords()));
    Map<TopicPartition, Long> seekBack = new HashMap<>();
    long bytes = 0;
    for (TopicPartition partition : records.partitions()) {
      for (ConsumerRecord<K, V> record : records.records(partition)) {
        long size = ConsumerTransport.sizeInBytes(record);
        boolean fits = taken.size() < limit.maxRecords()
            && (bytes + size <= limit.maxBytes() || (taken.isEmpty() && limit.atLeastOne()));
        if (!fits) {
          seekBack.put(partition, record.offset());
          break;
        }
        taken.add(record);
        bytes += size;
      }
    }
    seekBack.forEach(consumer::seek);
    return new Fetched<>(taken, !seekBack.isEmpty());
  }

  /**
   * A group member must poll within max.poll.interval.ms or be dropped; while the source fetches
   * nothing (its buffer is full), poll with every partition paused so no records arrive.
   */
  private void keepAlive() {
    if (consumer == null || released || System.nanoTime() - lastPollNanos < settings.keepAliveInterval().toNanos()) {
      return;
    }
    try {
      consumer.pause(consumer.assignment());
      // Partitions assigned during this poll are not paused yet: take none of their records.
      take(consumer.poll(Duration.ZERO), new FetchLimit(0, 0, false));
      lastPollNanos = System.nanoTime();
    } catch (WakeupException e) {
      // close() is under way.
    } catch (RuntimeException e) {
      // The next fetch meets the same failure and fails the source.
    }
  }

  @Override
  public CompletionStage<Done> commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    return onThread(() -> {
      consumer.commitSync(offsets, settings.commitTimeout());
      return Done.getInstance();
    });
  }

  /** Waits for a fetch in flight (at most the poll timeout) rather than waking it, so queued commits still run. */
  @Override
  public CompletionStage<Done> close(Duration timeout) {
    if (!closeRequested.compareAndSet(false, true)) {
      return closed;
    }
    try {
      thread.execute(() -> {
        released = true;
        try {
          if (consumer != null) {
            consumer.close(CloseOptions.timeout(timeout));
          }
          closed.complete(Done.getInstance());
        } catch (RuntimeException e) {
          closed.completeExceptionally(e);
        } finally {
          thread.shutdown();
        }
      });
    } catch (RejectedExecutionException e) {
      closed.complete(Done.getInstance());
    }
    return closed;
  }

  /** Runs {@code task} with the consumer on its thread; fails if it could not be opened or is closed. */
  private <T> CompletionStage<T> onThread(ConsumerTask<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      thread.execute(() -> {
        try {
          if (openFailure != null) {
            throw openFailure;
          }
          if (released) {
            throw new IllegalStateException("consumer is closed");
          }
          result.complete(task.run());
        } catch (RuntimeException e) {
          result.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new IllegalStateException("consumer is closed", e));
    }
    return result;
  }

  @FunctionalInterface
  private interface ConsumerTask<T> {
    T run();
  }
}
