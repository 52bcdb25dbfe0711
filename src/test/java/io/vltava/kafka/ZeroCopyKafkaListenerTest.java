package io.vltava.kafka;

/** Every {@link KafkaListenerTest} against a PLAINTEXT listener on the zero-copy NIO transport. */
class ZeroCopyKafkaListenerTest extends KafkaListenerTest {
  @Override
  protected boolean zeroCopy() {
    return true;
  }
}
