package io.vltava.stream;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.pekko.Done;

/**
 * What the {@link Producer} stages need from whatever carries records to partition leaders:
 * {@link RemoteProducerTransport} speaks the Kafka protocol; {@link InClusterProducerTransport}
 * reaches leaders through cluster sharding. Implementations are thread-safe: a stage calls
 * {@link #send} from its own thread and {@link #close} from the stream dispatcher.
 */
public interface ProducerTransport<K, V> {

  /**
   * Sends one record. May block briefly (for metadata or buffer space, as KafkaProducer does), so
   * stages call it on the stream dispatcher. The result completes on a transport thread, never
   * on the common pool.
   */
  CompletionStage<RecordMetadata> send(ProducerRecord<K, V> record);

  /** Sends what is still held, waiting at most {@code timeout}, and releases the transport. Blocks. */
  void close(Duration timeout);

  /** Opens a transport for one materialization of a producer stage. */
  interface Factory {
    <K, V> ProducerTransport<K, V> open(ProducerSettings<K, V> settings);
  }
}
