package io.vltava.metadata;

import java.util.UUID;
import org.apache.kafka.common.Uuid;

/** Topic ids are java.util.UUID in the metadata and Kafka's Uuid on the wire; the same 128 bits. */
public final class TopicIds {
  private TopicIds() {}

  public static Uuid toKafka(UUID id) {
    return new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
  }

  public static UUID toJava(Uuid id) {
    return new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits());
  }
}
