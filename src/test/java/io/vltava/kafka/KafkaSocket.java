package io.vltava.kafka;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** A blocking Kafka-protocol client over a plain socket, encoding with kafka-clients' classes. */
public final class KafkaSocket implements AutoCloseable {

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;

  public KafkaSocket(InetSocketAddress address) throws IOException {
    this(address, READ_TIMEOUT);
  }

  /** {@code readTimeout}: how long a response may take before the read fails. */
  public KafkaSocket(InetSocketAddress address, Duration readTimeout) throws IOException {
    socket = new Socket(address.getAddress(), address.getPort());
    socket.setSoTimeout((int) readTimeout.toMillis());
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
  }

  public void send(RequestHeader header, AbstractRequest request) throws IOException {
    sendFrame(request.serializeWithHeader(header));
  }

  /** Writes a size-prefixed frame of exactly these bytes. */
  public void sendFrame(ByteBuffer frame) throws IOException {
    out.writeInt(frame.remaining());
    sendRaw(bytesOf(frame));
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** The next response frame without its size field. */
  public ByteBuffer receiveFrame() throws IOException {
    byte[] frame = new byte[in.readInt()];
    in.readFully(frame);
    return ByteBuffer.wrap(frame);
  }

  /** The response to {@code header}; kafka-clients checks the correlation id. */
  @SuppressWarnings("unchecked")
  public <T extends AbstractResponse> T receive(RequestHeader header) throws IOException {
    return (T) AbstractResponse.parseResponse(receiveFrame(), header);
  }

  /** Sends {@code request} at its builder's latest version and returns the response. */
  public <T extends AbstractResponse> T roundTrip(AbstractRequest.Builder<?> builder, int correlationId) throws IOException {
    AbstractRequest request = builder.build();
    RequestHeader header = new RequestHeader(builder.apiKey(), request.version(), "vltava-test", correlationId);
    send(header, request);
    return receive(header);
  }

  /** True when the broker has closed the connection with nothing more to read. */
  public boolean closedByPeer() throws IOException {
    return in.read() == -1;
  }

  static byte[] bytesOf(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
