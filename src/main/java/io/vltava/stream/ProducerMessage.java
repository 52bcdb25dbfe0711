package io.vltava.stream;

import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * What goes into {@link Producer#flow} ({@link Envelope}s) and what comes out ({@link Results}),
 * each carrying a pass-through value of the caller's choosing, such as the committable offset of
 * the record that caused the write.
 */
public final class ProducerMessage {
  private ProducerMessage() {}

  /** An element of {@link Producer#flow}: a record to send, or only a pass-through to emit in order. */
  public sealed interface Envelope<K, V, P> permits Message, PassThroughMessage {
    P passThrough();
  }

  /** One record to send; its {@link Result} carries {@code passThrough}. */
  public record Message<K, V, P>(ProducerRecord<K, V> record, P passThrough) implements Envelope<K, V, P> {
    public Message {
      Objects.requireNonNull(record, "record");
    }
  }

  /** Sends nothing; {@code passThrough} comes out as a {@link PassThroughResult} in its turn. */
  public record PassThroughMessage<K, V, P>(P passThrough) implements Envelope<K, V, P> {}

  public static <K, V, P> Envelope<K, V, P> single(ProducerRecord<K, V> record, P passThrough) {
    return new Message<>(record, passThrough);
  }

  public static <K, V, P> Envelope<K, V, P> passThrough(P passThrough) {
    return new PassThroughMessage<>(passThrough);
  }

  /** What {@link Producer#flow} emits for each {@link Envelope}, in the envelopes' order. */
  public sealed interface Results<K, V, P> permits Result, PassThroughResult {
    P passThrough();
  }

  /** The record of a {@link Message} was acknowledged at {@code metadata}'s partition and offset. */
  public record Result<K, V, P>(RecordMetadata metadata, Message<K, V, P> message) implements Results<K, V, P> {
    public int partition() {
      return metadata.partition();
    }

    public long offset() {
      return metadata.offset();
    }

    @Override
    public P passThrough() {
      return message.passThrough();
    }
  }

  public record PassThroughResult<K, V, P>(P passThrough) implements Results<K, V, P> {}
}
