package io.vltava.replica;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import javax.net.SocketFactory;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A follower's blocking Kafka-protocol connection to a leader broker: replication uses the same
 * Fetch API as consumers (bulk data stays off Artery, whose frames are small). One request at a
 * time, from the fetcher thread that owns it.
 */
final class LeaderConnection implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final String clientId;
  private int nextCorrelationId;

  LeaderConnection(SocketFactory sockets, String host, int port, String clientId, int connectTimeoutMs, int readTimeoutMs)
      throws IOException {
    this.socket = sockets.createSocket();
    socket.connect(new InetSocketAddress(host, port), connectTimeoutMs);
    socket.setSoTimeout(readTimeoutMs);
    socket.setTcpNoDelay(true);
    this.in = new DataInputStream(socket.getInputStream());
    this.out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream()));
    this.clientId = clientId;
  }

  @SuppressWarnings("unchecked")
  <T extends AbstractResponse> T send(AbstractRequest.Builder<?> builder, short version) throws IOException {
    AbstractRequest request = builder.build(version);
    RequestHeader header = new RequestHeader(builder.apiKey(), version, clientId, nextCorrelationId++);
    ByteBuffer frame = request.serializeWithHeader(header);
    out.writeInt(frame.remaining());
    out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
    out.flush();
    byte[] response = new byte[in.readInt()];
    in.readFully(response);
    return (T) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
