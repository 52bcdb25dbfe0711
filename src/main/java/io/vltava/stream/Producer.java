package io.vltava.stream;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Producer stages. Each materialization opens its own transport (for the remote one, a
 * KafkaProducer) and closes it when the stream ends. At most {@link ProducerSettings#parallelism()}
 * sends are in flight, so a slow broker backpressures upstream; a failed send fails the stream.
 */
public final class Producer {
  /** The dispatcher producer stages run on: {@code send} may block, so not the default one. */
  public static final String DISPATCHER = "vltava.stream.dispatcher";

  private Producer() {}

  /**
   * Sends every record; materializes to a stage that completes once all were acknowledged (or
   * fails with the first failed send).
   */
  public static <K, V> Sink<ProducerRecord<K, V>, CompletionStage<Done>> sink(ProducerSettings<K, V> settings) {
    return Flow.<ProducerRecord<K, V>>create()
        .map(record -> ProducerMessage.<K, V, NotUsed>single(record, NotUsed.notUsed()))
        .via(flow(settings))
        .toMat(Sink.ignore(), Keep.right());
  }

  /**
   * Sends each {@link ProducerMessage.Message}'s record and emits, in order, a {@link
   * ProducerMessage.Result} with its partition, offset and pass-through; a {@link
   * ProducerMessage.PassThroughMessage} is emitted as a {@link ProducerMessage.PassThroughResult}
   * in its turn.
   */
  public static <K, V, P> Flow<ProducerMessage.Envelope<K, V, P>, ProducerMessage.Results<K, V, P>, NotUsed> flow(
      ProducerSettings<K, V> settings) {
    return Flow.<ProducerMessage.Envelope<K, V, P>, ProducerMessage.Results<K, V, P>, NotUsed>fromMaterializer(
            (materializer, attributes) -> {
              ProducerTransport<K, V> transport = settings.transport().open(settings);
              Executor blocking = materializer.system().dispatchers().lookup(DISPATCHER);
              return Flow.<ProducerMessage.Envelope<K, V, P>>create()
                  .mapAsync(settings.parallelism(), envelope -> send(transport, envelope))
                  .watchTermination((notUsed, done) -> {
                    done.whenCompleteAsync((d, error) -> transport.close(settings.closeTimeout()), blocking);
                    return notUsed;
                  });
            })
        .mapMaterializedValue(ignored -> NotUsed.notUsed())
        .async(DISPATCHER);
  }

  private static <K, V, P> CompletionStage<ProducerMessage.Results<K, V, P>> send(
      ProducerTransport<K, V> transport, ProducerMessage.Envelope<K, V, P> envelope) {
    if (envelope instanceof ProducerMessage.Message<K, V, P> message) {
      return transport.send(message.record())
          .thenApply(metadata -> new ProducerMessage.Result<>(metadata, message));
    }
    return CompletableFuture.completedFuture(new ProducerMessage.PassThroughResult<>(envelope.passThrough()));
  }
}
