package io.vltava.replica;

import io.vltava.log.FetchedRecords;
import io.vltava.log.LeaderEpochCache;
import io.vltava.log.PartitionLog;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.ReplicationRules;
import io.vltava.metadata.ReplicationRules.FollowerPosition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the rest of the node sees of one local partition replica: the actor that writes it, a read
 * view of its log (null until the actor has opened it and after it has closed it), and, while it
 * leads, the replication state: where each follower is, the high watermark, and the acks=all
 * produces waiting for it. The replication state is guarded by this object's lock, since follower
 * fetches arrive on request threads while appends happen on the actor's.
 */
public final class LocalReplica {
  private final TopicPartition topicPartition;
  private final UUID topicId;
  private final int localNodeId;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile ActorRef<PartitionReplica.Command> writer;
  private volatile PartitionLog log;
  /** Why the log is offline (an I/O error), or null while it is open or opening. */
  private volatile Exception storageError;
  private volatile long highWatermark;
  /** As a follower: the leader's high watermark from the last fetch, not capped by this log's end. */
  private volatile long leaderHighWatermark;
  private volatile PartitionState state;
  /** Whether the controller has yet to acknowledge that the log is online or offline: the writer reports it again. */
  private volatile boolean statusUnreported;
  /** Set when the node stops: it no longer leads, whatever the controller last said. */
  private volatile boolean resigned;
  private final Map<Integer, FollowerPosition> followers = new HashMap<>();
  /** Every ISR proposed from the current partition epoch and not yet decided by the controller. */
  private List<Integer> proposedIsr = List.of();
  private final List<CommitWaiter> waiters = new ArrayList<>();
  private final Runnable highWatermarkAdvanced;

  /** An acks=all produce waiting until the high watermark passes {@code offset}. */
  private record CommitWaiter(long offset, CompletableFuture<Errors> done) {}

  LocalReplica(TopicPartition topicPartition, UUID topicId, int localNodeId, PartitionState state) {
    this(topicPartition, topicId, localNodeId, state, () -> {});
  }

  /**
   * {@code highWatermarkAdvanced} runs whenever followers' fetches move the high watermark up, so
   * consumers long-polling at the old high watermark wake at once instead of at the next append.
   */
  LocalReplica(TopicPartition topicPartition, UUID topicId, int localNodeId, PartitionState state,
      Runnable highWatermarkAdvanced) {
    this.topicPartition = topicPartition;
    this.topicId = topicId;
    this.localNodeId = localNodeId;
    this.state = state;
    this.highWatermarkAdvanced = highWatermarkAdvanced;
  }

  public TopicPartition topicPartition() {
    return topicPartition;
  }

  public UUID topicId() {
    return topicId;
  }

  /** The open log for reading, or null while it is opening, offline or after it closed. */
  public PartitionLog log() {
    return log;
  }

  /** The I/O error that took the log offline, or null while it is open or opening. */
  public Exception storageError() {
    return storageError;
  }

  /** Consumers never read at or above this offset. */
  public long highWatermark() {
    return highWatermark;
  }

  public int leaderEpoch() {
    return state.leaderEpoch();
  }

  public PartitionState state() {
    return state;
  }

  public boolean isLeader() {
    return !resigned && state.leader() == localNodeId;
  }

  /**
   * The node is stopping (orderly, or downed by the cluster): stop leading now, so acks=all
   * produces waiting here answer NOT_LEADER_OR_FOLLOWER and their clients go to the new leader
   * instead of waiting for this node's connections to close.
   */
  synchronized void resign() {
    resigned = true;
    completeAll(Errors.NOT_LEADER_OR_FOLLOWER);
  }

  boolean statusUnreported() {
    return statusUnreported;
  }

  void statusUnreported(boolean unreported) {
    this.statusUnreported = unreported;
  }

  ActorRef<PartitionReplica.Command> writer() {
    return writer;
  }

  void writer(ActorRef<PartitionReplica.Command> writer) {
    this.writer = writer;
  }

  void opened(PartitionLog openedLog) {
    this.log = openedLog;
    this.storageError = null;
    synchronized (this) {
      // Alone in the ISR the leader's whole log is committed; otherwise what was committed before the
      // restart is, and followers must confirm the rest.
      highWatermark = isLeader() && state.isr().size() == 1
          ? openedLog.logEndOffset()
          : Math.min(Math.max(highWatermark, openedLog.checkpointedHighWatermark()), openedLog.logEndOffset());
    }
  }

  /**
   * The controller changed this partition: a new leader, epoch or ISR. A deposed leader's waiters
   * fail. A state older than the one held (an ISR reply overtaken by the metadata) is ignored.
   */
  synchronized void update(PartitionState newState) {
    if (newState.partitionEpoch() < state.partitionEpoch()) {
      return;
    }
    boolean wasLeader = isLeader();
    boolean epochChanged = newState.leaderEpoch() != state.leaderEpoch();
    if (newState.partitionEpoch() != state.partitionEpoch()) {
      // The controller decided: proposals made from the previous state are applied or fenced.
      proposedIsr = List.of();
    }
    state = newState;
    if (wasLeader && (!isLeader() || epochChanged)) {
      completeAll(Errors.NOT_LEADER_OR_FOLLOWER);
    }
    if (epochChanged) {
      followers.clear();
    }
    if (isLeader()) {
      recomputeHighWatermark();
    }
  }

  /** The leader appended; with no other replica in sync its new records are committed at once. */
  synchronized void leaderAppended() {
    recomputeHighWatermark();
  }

  /**
   * Reads for a fetch at {@code fetchOffset}, up to {@code maxBytes}. A consumer
   * ({@code fetcherReplicaId} < 0) reads below the high watermark; a follower reads the whole log,
   * and its fetch offset is its position: it holds everything below. A first batch larger than
   * {@code maxBytes} is returned whole only if {@code batchMayExceedLimit}. Out of range, a
   * consumer learns nothing more, as from Kafka (it resets by its policy); a follower learns the
   * log start offset, where it restarts a log that ends below it.
   */
  PartitionRead read(int fetcherReplicaId, long fetchOffset, int maxBytes, boolean batchMayExceedLimit, RecordsForm form,
      long nowMs) throws IOException {
    PartitionLog current = log;
    if (current == null) {
      return PartitionRead.failed(Errors.NOT_LEADER_OR_FOLLOWER);
    }
    boolean follower = fetcherReplicaId >= 0;
    long committed = follower ? followerFetched(fetcherReplicaId, fetchOffset, nowMs) : highWatermark;
    try {
      if (maxBytes <= 0) {
        return new PartitionRead(Errors.NONE, committed, current.logStartOffset(), MemoryRecords.EMPTY, 0);
      }
      long bound = follower ? Long.MAX_VALUE : committed;
      FetchedRecords fetched = form == RecordsForm.FILE_SLICE
          ? current.readFileSlice(fetchOffset, maxBytes, bound)
          : current.read(fetchOffset, maxBytes, bound);
      if (fetched.sizeInBytes() > maxBytes && !batchMayExceedLimit) {
        return new PartitionRead(Errors.NONE, committed, fetched.logStartOffset(), MemoryRecords.EMPTY, 0);
      }
      return new PartitionRead(Errors.NONE, committed, fetched.logStartOffset(), fetched.records(), fetched.recordCount());
    } catch (OffsetOutOfRangeException e) {
      return follower
          ? new PartitionRead(Errors.OFFSET_OUT_OF_RANGE, -1, current.logStartOffset(), MemoryRecords.EMPTY, 0)
          : PartitionRead.failed(Errors.OFFSET_OUT_OF_RANGE);
    }
  }

  /**
   * ListOffsets: the log start offset (earliest), the high watermark (latest), or the first
   * committed record at or after a time, or the one with the largest timestamp.
   */
  ListedOffset listOffset(long timestamp) throws IOException {
    PartitionLog current = log;
    if (current == null) {
      return ListedOffset.failed(Errors.LEADER_NOT_AVAILABLE);
    }
    long committed = highWatermark;
    int epoch = leaderEpoch();
    if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
      return new ListedOffset(Errors.NONE, current.logStartOffset(), -1, epoch);
    }
    if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
      return new ListedOffset(Errors.NONE, committed, -1, epoch);
    }
    if (timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP) {
      // As Kafka without tiered storage: nothing is tiered or pending upload.
      return new ListedOffset(Errors.NONE, -1, -1, epoch);
    }
    Optional<TimestampAndOffset> found;
    if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
      found = current.offsetOfMaxTimestamp();
    } else if (timestamp >= 0) {
      found = current.offsetForTimestamp(timestamp);
    } else {
      return ListedOffset.failed(Errors.UNSUPPORTED_VERSION);
    }
    return found.filter(f -> f.offset < committed)
        .map(f -> new ListedOffset(Errors.NONE, f.offset, f.timestamp, epoch))
        .orElse(new ListedOffset(Errors.NONE, -1, -1, epoch));
  }

  /** Where {@code requestedEpoch} ends in this replica's log. */
  EpochEnd endOffsetFor(int requestedEpoch) {
    PartitionLog current = log;
    if (current == null) {
      return EpochEnd.failed(Errors.LEADER_NOT_AVAILABLE);
    }
    LeaderEpochCache.EpochEndOffset end = current.leaderEpochCache().endOffsetFor(requestedEpoch);
    return new EpochEnd(Errors.NONE, end.epoch(), end.endOffset());
  }

  /** A follower fetched from {@code fetchOffset}: it holds everything below. Returns the high watermark to send it. */
  synchronized long followerFetched(int replicaId, long fetchOffset, long nowMs) {
    PartitionLog current = log;
    if (current == null) {
      return highWatermark;
    }
    followers.put(replicaId, ReplicationRules.afterFetch(followers.get(replicaId), fetchOffset, current.logEndOffset(), nowMs));
    recomputeHighWatermark();
    return highWatermark;
  }

  /** An ISR to propose to the controller, made from the partition state {@code base}. */
  record IsrProposal(PartitionState base, List<Integer> isr) {}

  /**
   * Turns the ISR the leader would like into a proposal, or empty when it equals the current ISR.
   * A joining follower stays in it only if it holds everything committed and the current leader
   * epoch's start; the check and the record of the proposal happen under the lock that moves the
   * high watermark, which from then on waits for the proposed members too (until the controller
   * decides), so an admitted follower, perhaps made leader at once, holds every committed record.
   */
  synchronized Optional<IsrProposal> propose(List<Integer> wanted, long leaderEpochStartOffset) {
    List<Integer> isr = new ArrayList<>();
    for (int replica : wanted) {
      FollowerPosition position = followers.get(replica);
      boolean joining = !state.isr().contains(replica);
      if (!joining || (position != null
          && ReplicationRules.mayJoin(position.logEndOffset(), highWatermark, leaderEpochStartOffset))) {
        isr.add(replica);
      }
    }
    if (isr.equals(state.isr())) {
      return Optional.empty();
    }
    proposedIsr = ReplicationRules.maximalIsr(proposedIsr, isr);
    return Optional.of(new IsrProposal(state, isr));
  }

  /** The controller refused the proposals made from {@code base} and changed nothing: stop waiting for them. */
  synchronized void proposalRefused(PartitionState base) {
    if (state.partitionEpoch() == base.partitionEpoch()) {
      proposedIsr = List.of();
      recomputeHighWatermark();
    }
  }

  synchronized Map<Integer, FollowerPosition> followerPositions() {
    return Map.copyOf(followers);
  }

  /** As a follower: the leader's high watermark, capped by what this replica holds. */
  void followerHighWatermark(long leaderHighWatermark) {
    PartitionLog current = log;
    if (current != null) {
      this.leaderHighWatermark = leaderHighWatermark;
      highWatermark = Math.min(leaderHighWatermark, current.logEndOffset());
    }
  }

  /** Bytes of this replica's log segments; 0 while the log is not open. */
  public long sizeBytes() {
    PartitionLog current = log;
    return current == null ? 0 : current.sizeBytes();
  }

  /**
   * How many offsets this replica's log ends behind the partition's high watermark, as Kafka's
   * DescribeLogDirs reports it: 0 for a leader; for a follower, the leader's high watermark from its
   * last fetch minus its own log end offset.
   */
  public long logEndOffsetLag() {
    PartitionLog current = log;
    if (current == null || isLeader()) {
      return 0;
    }
    return Math.max(0, leaderHighWatermark - current.logEndOffset());
  }

  /** Completes when the high watermark passes {@code offset}, or with the error that ended the wait. */
  synchronized CompletionStage<Errors> awaitCommitted(long offset) {
    if (highWatermark > offset) {
      return CompletableFuture.completedFuture(Errors.NONE);
    }
    if (!isLeader()) {
      return CompletableFuture.completedFuture(Errors.NOT_LEADER_OR_FOLLOWER);
    }
    CommitWaiter waiter = new CommitWaiter(offset, new CompletableFuture<>());
    waiters.add(waiter);
    return waiter.done();
  }

  /** The log failed and was closed: readers see KAFKA_STORAGE_ERROR, and acks=all produces waiting here fail with it. */
  void offline(Exception cause) {
    storageError = cause;
    log = null;
    synchronized (this) {
      completeAll(Errors.KAFKA_STORAGE_ERROR);
    }
  }

  void closed() {
    log = null;
    synchronized (this) {
      completeAll(Errors.NOT_LEADER_OR_FOLLOWER);
    }
    closed.complete(null);
  }

  /** Completes once the log is closed (or deleted) and its files are free. */
  CompletionStage<Void> whenClosed() {
    return closed;
  }

  private void recomputeHighWatermark() {
    PartitionLog current = log;
    if (current == null) {
      return;
    }
    long next = ReplicationRules.highWatermark(
        localNodeId, current.logEndOffset(), ReplicationRules.maximalIsr(state.isr(), proposedIsr), followers);
    // Never backwards: a follower re-added at a lower position must not hide committed records.
    if (next > highWatermark) {
      highWatermark = next;
      for (Iterator<CommitWaiter> it = waiters.iterator(); it.hasNext(); ) {
        CommitWaiter waiter = it.next();
        if (highWatermark > waiter.offset()) {
          waiter.done().complete(Errors.NONE);
          it.remove();
        }
      }
      highWatermarkAdvanced.run();
    }
  }

  private void completeAll(Errors error) {
    waiters.forEach(waiter -> waiter.done().complete(error));
    waiters.clear();
  }
}
