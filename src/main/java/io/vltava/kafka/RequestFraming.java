package io.vltava.kafka;

import java.nio.ByteOrder;
import java.util.function.IntSupplier;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.scaladsl.Framing.FramingException;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Cuts Kafka's 4-byte big-endian size-prefixed frames out of a byte stream and emits each request
 * without its size field. The bound is asked for at each frame's size field, because it depends on
 * the connection's state (small until a SASL client has authenticated): a frame over it fails the
 * stream as soon as its size is read, before any of its bytes are buffered.
 */
final class RequestFraming extends GraphStage<FlowShape<ByteString, ByteString>> {

  private static final int SIZE_FIELD_BYTES = Integer.BYTES;

  private final Inlet<ByteString> in = Inlet.create("RequestFraming.in");
  private final Outlet<ByteString> out = Outlet.create("RequestFraming.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final IntSupplier maxRequestBytes;

  RequestFraming(IntSupplier maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new GraphStageLogic(shape) {
      private ByteString buffer = ByteString.emptyByteString();

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            buffer = buffer.concat(grab(in));
            if (isAvailable(out)) {
              emitOrPull();
            }
          }

          @Override
          public void onUpstreamFinish() {
            if (isAvailable(out)) {
              emitOrPull();
            }
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            emitOrPull();
          }
        });
      }

      private void emitOrPull() {
        if (buffer.size() >= SIZE_FIELD_BYTES) {
          int size = buffer.iterator().getInt(ByteOrder.BIG_ENDIAN);
          int max = maxRequestBytes.getAsInt();
          if (size < 0 || size > max) {
            failStage(new FramingException("request size " + size + " is negative or over " + max + " bytes"));
            return;
          }
          if (buffer.size() >= SIZE_FIELD_BYTES + size) {
            push(out, buffer.slice(SIZE_FIELD_BYTES, SIZE_FIELD_BYTES + size));
            buffer = buffer.drop(SIZE_FIELD_BYTES + size);
            return;
          }
        }
        if (isClosed(in)) {
          // A partial frame at the end is dropped: the client went away mid-request.
          completeStage();
        } else if (!hasBeenPulled(in)) {
          pull(in);
        }
      }
    };
  }
}
