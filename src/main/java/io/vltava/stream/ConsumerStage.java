package io.vltava.stream;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.Done;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageWithMaterializedValue;
import scala.Tuple2;

/**
 * The source behind {@link Consumer}: fetches from a {@link ConsumerTransport} into a bounded
 * buffer and emits on demand. At most one fetch is outstanding; one is asked for once the buffer
 * is at most half full (by records and by bytes), with a limit of the room left, so the buffer
 * never exceeds the bounds (but for one record larger than the byte bound, fetched alone into an
 * empty buffer). Fetch results come back through an async callback; the stage never blocks.
 */
final class ConsumerStage<K, V, T> extends GraphStageWithMaterializedValue<SourceShape<T>, Consumer.Control> {

  private final ConsumerSettings<K, V> settings;
  private final Subscription subscription;
  private final Function<ConsumerTransport<K, V>, Function<ConsumerRecord<K, V>, T>> elements;
  private final Outlet<T> out = Outlet.create("VltavaConsumer.out");
  private final SourceShape<T> shape = SourceShape.of(out);

  ConsumerStage(ConsumerSettings<K, V> settings, Subscription subscription,
      Function<ConsumerTransport<K, V>, Function<ConsumerRecord<K, V>, T>> elements) {
    this.settings = settings;
    this.subscription = subscription;
    this.elements = elements;
  }

  @Override
  public SourceShape<T> shape() {
    return shape;
  }

  @Override
  public Tuple2<GraphStageLogic, Consumer.Control> createLogicAndMaterializedValue(Attributes attributes) {
    ConsumerTransport<K, V> transport = settings.transport().open(settings, subscription);
    Logic logic = new Logic(transport);
    return new Tuple2<>(logic, logic.control);
  }

  private final class Logic extends GraphStageLogic {
    private final ConsumerTransport<K, V> transport;
    private final Function<ConsumerRecord<K, V>, T> element;
    private final ArrayDeque<ConsumerRecord<K, V>> buffer = new ArrayDeque<>();
    private final AtomicLong bufferedRecords = new AtomicLong();
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final AtomicLong peakBufferedBytes = new AtomicLong();
    private final AtomicLong emittedRecords = new AtomicLong();
    private final CompletableFuture<Done> stageStopped = new CompletableFuture<>();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CompletableFuture<Done> shutDown = new CompletableFuture<>();
    private final AsyncCallback<FetchOutcome<K, V>> onFetched = createAsyncCallback(this::fetched);
    private final AsyncCallback<Done> onStop = createAsyncCallback(done -> stopSource());
    private final Control control = new Control();
    private boolean fetching;
    private boolean stopRequested;
    // After a fetch of which nothing fitted, do not fetch again until the buffer is empty (then a
    // first record of any size fits), so the same records are not re-fetched and dropped over and over.
    private boolean waitForEmptyBuffer;
    private final AtomicBoolean fetchInFlight = new AtomicBoolean();

    Logic(ConsumerTransport<K, V> transport) {
      super(shape);
      this.transport = transport;
      this.element = elements.apply(transport);
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          emit();
          maybeFetch();
        }
      });
    }

    @Override
    public void preStart() {
      maybeFetch();
    }

    @Override
    public void postStop() {
      buffer.clear();
      bufferedRecords.set(0);
      bufferedBytes.set(0);
      stageStopped.complete(Done.getInstance());
      if (!stopRequested) {
        // Cancelled or failed: nobody will commit through this source any more.
        closeTransport();
      }
    }

    private void emit() {
      if (isAvailable(out) && !buffer.isEmpty()) {
        ConsumerRecord<K, V> record = buffer.poll();
        bufferedRecords.decrementAndGet();
        bufferedBytes.addAndGet(-ConsumerTransport.sizeInBytes(record));
        emittedRecords.incrementAndGet();
        push(out, element.apply(record));
      }
    }

    private void maybeFetch() {
      if (buffer.isEmpty()) {
        waitForEmptyBuffer = false;
      }
      long roomBytes = settings.maxBufferedBytes() - bufferedBytes.get();
      int roomRecords = settings.maxBufferedRecords() - buffer.size();
      // Room for half the record bound at least: with max.poll.records at that half (the default
      // ConsumerSettings gives), a poll then always fits by count and is never cut short.
      int minRoomRecords = Math.max(1, settings.maxBufferedRecords() / 2);
      // Likewise room for half the byte bound, the default fetch.max.bytes.
      long minRoomBytes = Math.max(1, settings.maxBufferedBytes() / 2);
      if (fetching || stopRequested || waitForEmptyBuffer || roomBytes < minRoomBytes
          || roomRecords < minRoomRecords) {
        return;
      }
      fetching = true;
      fetchInFlight.set(true);
      ConsumerTransport.FetchLimit limit = new ConsumerTransport.FetchLimit(roomRecords, roomBytes, buffer.isEmpty());
      transport.fetch(limit).whenComplete((fetched, error) -> onFetched.invoke(new FetchOutcome<>(fetched, error)));
    }

    private void fetched(FetchOutcome<K, V> outcome) {
      fetching = false;
      if (stopRequested) {
        return;
      }
      if (outcome.error() != null) {
        fetchInFlight.set(false);
        failStage(outcome.error());
        return;
      }
      if (!outcome.fetched().revoked().isEmpty()) {
        dropRecordsOf(outcome.fetched().revoked());
      }
      for (ConsumerRecord<K, V> record : outcome.fetched().records()) {
        buffer.add(record);
        bufferedRecords.incrementAndGet();
        long bytes = bufferedBytes.addAndGet(ConsumerTransport.sizeInBytes(record));
        peakBufferedBytes.accumulateAndGet(bytes, Math::max);
      }
      waitForEmptyBuffer = outcome.fetched().truncated() && outcome.fetched().records().isEmpty();
      emit();
      maybeFetch();
      // Published once per callback, so an observer never sees the gap between two fetches.
      fetchInFlight.set(fetching);
    }

    /** Another group member owns these partitions now and reads them from the committed offset. */
    private void dropRecordsOf(Set<TopicPartition> revoked) {
      Iterator<ConsumerRecord<K, V>> held = buffer.iterator();
      while (held.hasNext()) {
        ConsumerRecord<K, V> record = held.next();
        if (revoked.contains(new TopicPartition(record.topic(), record.partition()))) {
          held.remove();
          bufferedRecords.decrementAndGet();
          bufferedBytes.addAndGet(-ConsumerTransport.sizeInBytes(record));
        }
      }
    }

    private void stopSource() {
      stopRequested = true;
      completeStage();
    }

    private CompletionStage<Done> closeTransport() {
      if (closeStarted.compareAndSet(false, true)) {
        transport.close(settings.closeTimeout()).whenComplete((done, error) -> {
          if (error == null) {
            shutDown.complete(Done.getInstance());
          } else {
            shutDown.completeExceptionally(error);
          }
        });
      }
      return shutDown;
    }

    private final class Control implements Consumer.Control {
      @Override
      public CompletionStage<Done> stop() {
        onStop.invoke(Done.getInstance());
        return stageStopped;
      }

      @Override
      public CompletionStage<Done> shutdown() {
        return stop().thenCompose(done -> closeTransport());
      }

      @Override
      public <R> CompletionStage<R> drainAndShutdown(CompletionStage<R> streamCompletion, Executor executor) {
        CompletableFuture<R> result = new CompletableFuture<>();
        stop().thenComposeAsync(stopped -> streamCompletion, executor)
            .handleAsync((value, streamError) -> {
              closeTransport().whenCompleteAsync((done, closeError) -> {
                Throwable error = streamError != null ? streamError : closeError;
                if (error == null) {
                  result.complete(value);
                } else {
                  result.completeExceptionally(error);
                }
              }, executor);
              return null;
            }, executor);
        return result;
      }

      @Override
      public CompletionStage<Done> isShutdown() {
        return shutDown;
      }

      @Override
      public Consumer.Metrics metrics() {
        return new Consumer.Metrics(bufferedRecords.get(), bufferedBytes.get(), peakBufferedBytes.get(),
            emittedRecords.get(), fetchInFlight.get());
      }
    }
  }

  private record FetchOutcome<K, V>(ConsumerTransport.Fetched<K, V> fetched, Throwable error) {}
}
