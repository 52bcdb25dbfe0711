package io.vltava.kafka;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.utils.Utils;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Collects what a kafka-clients {@link Send} writes into one {@link ByteString}, sharing the heap
 * arrays it is given instead of copying them: a response's fields are serialized into one buffer
 * and its record batches stay the buffers they were read into, so a fetch response's records are
 * not copied again on their way to the socket. Bytes from a file are read into the heap.
 *
 * <p>The buffers handed over must not change afterwards (they are the response's own). Not
 * thread-safe; one per response.
 */
final class ByteStringChannel implements TransferableChannel {

  private final ByteStringBuilder bytes = new ByteStringBuilder();
  private boolean open = true;

  /** The bytes {@code send} writes, size prefix included. */
  static ByteString drain(Send send) throws IOException {
    ByteStringChannel channel = new ByteStringChannel();
    while (!send.completed()) {
      send.writeTo(channel);
    }
    return channel.bytes.result();
  }

  @Override
  public int write(ByteBuffer src) {
    int size = src.remaining();
    if (src.hasArray()) {
      bytes.append(ByteString.fromArrayUnsafe(src.array(), src.arrayOffset() + src.position(), size));
    } else {
      bytes.append(ByteString.fromByteBuffer(src));
    }
    src.position(src.limit());
    return size;
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) {
    long written = 0;
    for (int i = offset; i < offset + length; i++) {
      written += write(srcs[i]);
    }
    return written;
  }

  @Override
  public long write(ByteBuffer[] srcs) {
    return write(srcs, 0, srcs.length);
  }

  @Override
  public long transferFrom(FileChannel fileChannel, long position, long count) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(count));
    Utils.readFullyOrFail(fileChannel, buffer, position, "records of a response");
    buffer.flip();
    return write(buffer);
  }

  @Override
  public boolean hasPendingWrites() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }
}
