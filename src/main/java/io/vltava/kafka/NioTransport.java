package io.vltava.kafka;

import io.vltava.kafka.RequestDispatcher.Outgoing;
import io.vltava.replica.RecordsForm;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.pekko.Done;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PLAINTEXT connections of one listener served on one NIO selector thread, so that responses go
 * out through kafka-clients' {@link Send#writeTo}: record batches left in segment files are written
 * with sendfile ({@link FileChannel#transferTo}) instead of being copied through the heap. Per
 * connection, as on the Pekko Streams transport: 4-byte big-endian framing bounded by
 * socket.request.max.bytes; at most max-in-flight requests handled at once, reading paused while at
 * the limit (backpressure); responses written in request order; idle connections closed; bad input
 * closing only its connection. Encoding and handlers run where the {@link RequestDispatcher} puts
 * them; this thread only reads, writes and keeps order.
 *
 * <p>A file slice whose segment is deleted or truncated before it is sent fails its send
 * (FileRecords compares the file's size with the slice's): the connection is closed mid-frame, so
 * the client sees a broken connection and retries, never a short or corrupt frame taken as whole.
 *
 * <p>Thread-safety: connections are touched by the selector thread only; other threads hand it work
 * through {@link #tasks} and wake it up.
 */
final class NioTransport implements Runnable {

  // The Pekko transport's logger, so that both transports log the same lines under one name.
  private static final Logger log = LoggerFactory.getLogger(KafkaListener.class);

  private static final int SIZE_FIELD_BYTES = Integer.BYTES;
  /**
   * A request body's first buffer; once it is full, the rest of the body gets a buffer of its whole
   * size (a client that announces a large request but sends little holds little memory).
   */
  private static final int INITIAL_REQUEST_BUFFER_BYTES = 16 * 1024;
  /** Longest a select waits, so that idle connections and the drain deadline are noticed in time. */
  private static final long MAX_SELECT_MS = 1000;
  /** At close, input already received is read and dropped (up to this much) so that the close is a FIN, not a reset. */
  private static final int MAX_DISCARDED_BYTES = 1 << 20;

  private final NamedListener listener;
  private final ListenerSettings settings;
  private final RequestDispatcher dispatcher;
  private final Selector selector;
  private final ServerSocketChannel server;
  private final InetSocketAddress boundAddress;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<Done> stopped = new CompletableFuture<>();
  private final Set<Connection> connections = new HashSet<>();
  private final ByteBuffer discarded = ByteBuffer.allocate(64 * 1024);
  private boolean draining;
  private long forceCloseAtNanos = Long.MAX_VALUE;

  private NioTransport(NamedListener listener, ListenerSettings settings, RequestDispatcher dispatcher)
      throws IOException {
    this.listener = listener;
    this.settings = settings;
    this.dispatcher = dispatcher;
    this.selector = Selector.open();
    this.server = ServerSocketChannel.open();
    try {
      server.bind(new InetSocketAddress(listener.host(), listener.port()), KafkaListener.BACKLOG);
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException e) {
      server.close();
      selector.close();
      throw e;
    }
    this.boundAddress = (InetSocketAddress) server.getLocalAddress();
  }

  /** Binds {@code listener} and starts its selector thread; throws if the address cannot be bound. */
  static NioTransport bind(NamedListener listener, ListenerSettings settings, RequestDispatcher dispatcher)
      throws IOException {
    NioTransport transport = new NioTransport(listener, settings, dispatcher);
    Thread thread = new Thread(transport, "vltava-kafka-nio-" + listener.name() + "-" + transport.boundAddress.getPort());
    thread.setDaemon(true);
    thread.start();
    return transport;
  }

  InetSocketAddress boundAddress() {
    return boundAddress;
  }

  /** Stops accepting connections; open ones carry on. */
  CompletionStage<Done> unbind() {
    CompletableFuture<Done> unbound = new CompletableFuture<>();
    submit(() -> {
      closeServer();
      unbound.complete(Done.getInstance());
    });
    return unbound;
  }

  /**
   * Orderly stop: unbinds, stops reading requests, answers those in flight and closes each
   * connection once it has; connections still busy after {@code deadline} are closed regardless.
   * Completes when every connection is closed and the selector thread has ended.
   */
  CompletionStage<Done> shutdown(Duration deadline) {
    submit(() -> {
      closeServer();
      draining = true;
      forceCloseAtNanos = System.nanoTime() + deadline.toNanos();
      for (Connection connection : new ArrayList<>(connections)) {
        connection.readingEnded = true;
        connection.writeReady();
      }
    });
    return stopped;
  }

  private void submit(Runnable task) {
    if (stopped.isDone()) {
      task.run();
      return;
    }
    tasks.add(task);
    selector.wakeup();
  }

  @Override
  public void run() {
    try {
      long idleNanos = settings.connectionsMaxIdle().toNanos();
      long selectMs = Math.max(1, Math.min(MAX_SELECT_MS, settings.connectionsMaxIdle().toMillis() / 4));
      while (!draining || !connections.isEmpty() && System.nanoTime() < forceCloseAtNanos) {
        selector.select(selectMs);
        for (Runnable task; (task = tasks.poll()) != null; ) {
          task.run();
        }
        for (SelectionKey key : selector.selectedKeys()) {
          handle(key);
        }
        selector.selectedKeys().clear();
        long now = System.nanoTime();
        for (Connection connection : new ArrayList<>(connections)) {
          if (connection.isIdle() && now - connection.lastActiveNanos > idleNanos) {
            log.debug("Closing idle Kafka connection from {}", connection.peer);
            connection.close();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      log.error("Kafka listener {} stopped serving: {}", listener.name(), e.toString());
    } finally {
      for (Connection connection : new ArrayList<>(connections)) {
        connection.close();
      }
      closeServer();
      try {
        selector.close();
      } catch (IOException e) {
        log.debug("Closing the selector of listener {} failed: {}", listener.name(), e.getMessage());
      }
      stopped.complete(Done.getInstance());
      for (Runnable task; (task = tasks.poll()) != null; ) {
        task.run();
      }
    }
  }

  private void handle(SelectionKey key) {
    if (!key.isValid()) {
      return;
    }
    if (key.isAcceptable()) {
      accept();
      return;
    }
    Connection connection = (Connection) key.attachment();
    if (key.isWritable()) {
      connection.writeReady();
    }
    if (key.isValid() && key.isReadable()) {
      connection.readReady();
    }
  }

  private void accept() {
    try {
      for (SocketChannel channel; (channel = server.accept()) != null; ) {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        connections.add(new Connection(channel));
      }
    } catch (IOException e) {
      log.warn("Accepting a Kafka connection on listener {} failed: {}", listener.name(), e.getMessage());
    }
  }

  private void closeServer() {
    try {
      server.close();
    } catch (IOException e) {
      log.debug("Unbinding listener {} failed: {}", listener.name(), e.getMessage());
    }
  }

  /** One client connection: the request being read, the responses awaited in request order, the one being written. */
  private final class Connection {
    private final SocketChannel channel;
    private final SelectionKey key;
    private final InetSocketAddress peer;
    private final ConnectionAuthenticator authenticator;
    private final TransferableChannel out;
    private final ByteBuffer sizeField = ByteBuffer.allocate(SIZE_FIELD_BYTES);
    /** The body being read, grown as its bytes arrive (a size field alone allocates little); null while the size field is read. */
    private ByteBuffer request;
    private int requestBytes;
    private final ArrayDeque<CompletableFuture<Outgoing>> inFlight = new ArrayDeque<>();
    private Send sending;
    /** No more requests are read: the client half-closed, the listener drains, or an answer ends the connection. */
    private boolean readingEnded;
    private boolean closeAfterSending;
    private boolean closed;
    private long lastActiveNanos = System.nanoTime();

    Connection(SocketChannel channel) throws IOException {
      this.channel = channel;
      this.peer = (InetSocketAddress) channel.getRemoteAddress();
      this.authenticator = new ConnectionAuthenticator(listener, peer.getAddress(), Optional.empty(), settings, () -> {});
      this.out = new SocketTransferableChannel(channel);
      this.key = channel.register(selector, SelectionKey.OP_READ, this);
      readingEnded = draining;
    }

    boolean isIdle() {
      return inFlight.isEmpty() && sending == null;
    }

    void readReady() {
      try {
        while (!closed && !readingEnded && inFlight.size() < settings.maxInFlightPerConnection()) {
          ByteBuffer target = request == null ? sizeField : request;
          int read = channel.read(target);
          if (read < 0) {
            // Half-closed by the client: what it sent is still answered.
            readingEnded = true;
            break;
          }
          if (read == 0) {
            break;
          }
          lastActiveNanos = System.nanoTime();
          if (request == null && !sizeField.hasRemaining()) {
            int size = sizeField.getInt(0);
            sizeField.clear();
            int max = authenticator.maxRequestBytes();
            if (size < 0 || size > max) {
              log.warn("Closing Kafka connection from {} on listener {}: {}", peer, listener.name(),
                  "request size " + size + " is negative or over " + max + " bytes");
              close();
              return;
            }
            requestBytes = size;
            request = ByteBuffer.allocate(Math.min(size, INITIAL_REQUEST_BUFFER_BYTES));
          }
          if (request != null && !request.hasRemaining() && request.capacity() < requestBytes) {
            // The first buffer's worth arrived, so the client is sending this request: one buffer for the rest
            // (growing in steps would copy it several times and leave large garbage behind).
            request = ByteBuffer.allocate(requestBytes).put(request.flip());
          }
          if (request != null && request.position() == requestBytes) {
            ByteBuffer frame = request.flip();
            request = null;
            dispatch(frame);
          }
        }
      } catch (IOException e) {
        log.debug("Kafka connection from {} failed: {}", peer, e.getMessage());
        close();
        return;
      }
      writeReady();
    }

    private void dispatch(ByteBuffer frame) {
      CompletableFuture<Outgoing> response;
      try {
        response = dispatcher.respond(frame, peer, authenticator, RecordsForm.FILE_SLICE).toCompletableFuture();
      } catch (RuntimeException e) {
        closeAfter(e);
        return;
      }
      inFlight.add(response);
      if (!response.isDone()) {
        response.whenComplete((answered, failure) -> submit(this::writeReady));
      }
    }

    /** Writes the answered responses in order, as far as the socket takes them; closes once nothing is left to do. */
    void writeReady() {
      try {
        while (!closed) {
          if (sending == null) {
            CompletableFuture<Outgoing> next = inFlight.peek();
            if (next == null || !next.isDone()) {
              break;
            }
            inFlight.poll();
            Outgoing outgoing = next.join();
            if (outgoing.closeAfter()) {
              readingEnded = true;
              closeAfterSending = true;
              inFlight.clear();
            }
            if (outgoing.response().isEmpty()) {
              continue;
            }
            sending = outgoing.response().get();
          }
          if (sending.writeTo(out) > 0) {
            lastActiveNanos = System.nanoTime();
          }
          if (!sending.completed()) {
            break;
          }
          sending = null;
        }
      } catch (CompletionException e) {
        closeAfter(e.getCause());
        return;
      } catch (IOException e) {
        log.debug("Kafka connection from {} failed: {}", peer, e.getMessage());
        close();
        return;
      } catch (RuntimeException e) {
        closeAfter(e);
        return;
      }
      if (closed) {
        return;
      }
      if (readingEnded && isIdle() || closeAfterSending && sending == null) {
        close();
        return;
      }
      int ops = (sending != null ? SelectionKey.OP_WRITE : 0)
          | (!readingEnded && inFlight.size() < settings.maxInFlightPerConnection() ? SelectionKey.OP_READ : 0);
      key.interestOps(ops);
    }

    private void closeAfter(Throwable failure) {
      log.warn("Closing Kafka connection from {}: {}", peer, failure.getMessage());
      close();
    }

    /** Closes with a FIN: pending input is dropped first, as a close with unread input would reset. */
    void close() {
      if (closed) {
        return;
      }
      closed = true;
      connections.remove(this);
      key.cancel();
      try {
        channel.shutdownOutput();
        for (int dropped = 0, read; dropped < MAX_DISCARDED_BYTES && (read = channel.read(discarded.clear())) > 0; ) {
          dropped += read;
        }
      } catch (IOException e) {
        // Already broken: closing is all that is left.
      }
      try {
        channel.close();
      } catch (IOException e) {
        log.debug("Closing Kafka connection from {} failed: {}", peer, e.getMessage());
      }
    }
  }

  /** A socket as kafka-clients' sends see it: file regions go to it with sendfile. */
  private static final class SocketTransferableChannel implements TransferableChannel {
    private final SocketChannel socket;

    SocketTransferableChannel(SocketChannel socket) {
      this.socket = socket;
    }

    @Override
    public long transferFrom(FileChannel fileChannel, long position, long count) throws IOException {
      return fileChannel.transferTo(position, count, socket);
    }

    @Override
    public boolean hasPendingWrites() {
      return false;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return socket.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      return socket.write(srcs, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
      return socket.write(srcs);
    }

    @Override
    public boolean isOpen() {
      return socket.isOpen();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
