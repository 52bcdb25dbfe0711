package io.vltava.stream;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The remote producer transport: a kafka-clients {@link KafkaProducer} talking the Kafka protocol
 * to any Vltava or Kafka broker. KafkaProducer is thread-safe and batches by itself; send results
 * complete on its I/O thread.
 */
public final class RemoteProducerTransport<K, V> implements ProducerTransport<K, V> {

  /** Opens a remote transport from the settings' bootstrap servers and properties. */
  public static final ProducerTransport.Factory FACTORY = new ProducerTransport.Factory() {
    @Override
    public <K2, V2> ProducerTransport<K2, V2> open(ProducerSettings<K2, V2> settings) {
      return new RemoteProducerTransport<>(settings);
    }
  };

  private final KafkaProducer<K, V> producer;

  private RemoteProducerTransport(ProducerSettings<K, V> settings) {
    this.producer = new KafkaProducer<>(settings.kafkaProperties(), settings.keySerializer(), settings.valueSerializer());
  }

  @Override
  public CompletionStage<RecordMetadata> send(ProducerRecord<K, V> record) {
    CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
    try {
      producer.send(record, (metadata, error) -> {
        if (error == null) {
          result.complete(metadata);
        } else {
          result.completeExceptionally(error);
        }
      });
    } catch (RuntimeException e) {
      // Serialization errors, a closed producer, a timeout waiting for metadata.
      result.completeExceptionally(e);
    }
    return result;
  }

  @Override
  public void close(Duration timeout) {
    producer.close(timeout);
  }
}
