package io.vltava.replica;

import io.vltava.log.LeaderEpochCache;
import io.vltava.log.PartitionLog;
import io.vltava.metadata.BrokerInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.FetchSessionHandler;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.utils.LogContext;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread per leader broker that this node follows partitions of (Kafka's ReplicaFetcherThread).
 * A partition newly followed at a leader epoch first asks the leader for the end offset of its own
 * latest epoch (OffsetForLeaderEpoch) and truncates there — never to its high watermark, which
 * KIP-101 showed can lose or diverge data — then fetches from its log end offset. Fetched batches
 * are appended through the partition's actor, the single writer. A replica behind the leader's log
 * start restarts its log there. Out-of-sync replicas their topic lists as follower-throttled fetch
 * within the node's follower.replication.throttled.rate (Kafka's replication quota). Fetches run in
 * an incremental fetch session (KIP-227, kafka-clients' {@link FetchSessionHandler}): a follower of
 * thousands of partitions sends only the ones whose position changed, and gets back only those
 * with news.
 *
 * <p>Failure policy: a failed round (the leader unreachable, a timeout, a failed write here) closes
 * the connection and retries after a backoff that doubles from replica.fetch.backoff.ms up to
 * replica.fetch.backoff.max.ms ({@link ReplicationSettings}); the first failure of a streak is logged at WARN, the rest at DEBUG, and
 * the recovery at INFO; a refused SASL authentication at ERROR, once per streak. A partition whose appends fail is warned about once per streak too (a replica
 * whose log is offline is skipped until it is back). The thread ends only on {@link #shutdown}; if an
 * Error kills it anyway, that is logged at ERROR and the next metadata change starts a new fetcher.
 */
final class ReplicaFetcher implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ReplicaFetcher.class);
  private static final short FETCH_VERSION = 12;

  /** What the follower knows of a followed partition; {@code truncated} once its tail matches the leader's. */
  private record Followed(int leaderEpoch, boolean truncated) {}

  private final int leaderId;
  private final ReplicaManager replicas;
  private final ActorSystem<?> system;
  private final ReplicationSettings settings;
  private final ConcurrentHashMap<TopicPartition, Followed> partitions = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean paused;
  private LeaderConnection connection;
  /** The fetch session with the leader; outlives connections (after a failure the next fetch is full). */
  private final FetchSessionHandler session;
  /** Failed rounds in a row; 0 while fetching works. */
  private int failedRounds;
  /** Whether this streak of failures has logged a refused authentication. */
  private boolean authenticationFailureLogged;
  /** Partitions whose last append failed: warned about once until one succeeds. */
  private final Set<TopicPartition> failingAppends = ConcurrentHashMap.newKeySet();

  ReplicaFetcher(int leaderId, ReplicaManager replicas, ActorSystem<?> system, ReplicationSettings settings) {
    this.leaderId = leaderId;
    this.replicas = replicas;
    this.system = system;
    this.settings = settings;
    this.session = new FetchSessionHandler(
        new LogContext("[fetcher " + replicas.localNodeId() + " from " + leaderId + "] "), leaderId);
    this.thread = new Thread(this, "replica-fetcher-" + replicas.localNodeId() + "-from-" + leaderId);
    thread.setDaemon(true);
    thread.setUncaughtExceptionHandler((t, e) ->
        log.error("Replica fetcher {} from broker {} died; a new one starts with the next metadata change", t.getName(), leaderId, e));
  }

  /** False once the thread has ended (shut down, or killed by an Error). */
  boolean isAlive() {
    return thread.isAlive();
  }

  void start() {
    thread.start();
  }

  /** Follows {@code partition} at {@code leaderEpoch}; a new epoch means checking the tail again. */
  void follow(TopicPartition partition, int leaderEpoch) {
    partitions.compute(partition, (tp, previous) ->
        previous != null && previous.leaderEpoch() == leaderEpoch ? previous : new Followed(leaderEpoch, false));
  }

  void unfollow(TopicPartition partition) {
    partitions.remove(partition);
  }

  /** Stops following partitions this node no longer holds. */
  void retainOnly(java.util.Set<TopicPartition> held) {
    partitions.keySet().retainAll(held);
  }

  /** Fault injection for tests: a paused fetcher fetches nothing, as if the follower stalled. */
  void paused(boolean value) {
    paused = value;
  }

  void shutdown() {
    running = false;
    thread.interrupt();
    closeConnection();
  }

  @Override
  public void run() {
    while (running) {
      try {
        if (partitions.isEmpty() || paused) {
          Thread.sleep(100); // nothing to fetch; re-check assignments shortly
          continue;
        }
        LeaderConnection leader = connect();
        if (leader == null) {
          Thread.sleep(200); // the leader's endpoint is not known yet
          continue;
        }
        truncatePending(leader);
        fetchOnce(leader);
        if (failedRounds > 0) {
          log.info("Follower {} fetches from broker {} again after {} failed attempts", replicas.localNodeId(), leaderId, failedRounds);
          failedRounds = 0;
          authenticationFailureLogged = false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        if (running) {
          failedRounds++;
          long backoffMs = settings.fetchBackoffMs(failedRounds);
          logFailure(e, backoffMs);
          session.handleError(e);
          closeConnection();
          sleepQuietly(backoffMs);
        }
      }
    }
  }

  /**
   * The first failure of a streak at WARN, the rest at DEBUG; a refused authentication, which needs an
   * operator, at ERROR once per streak, naming the mechanism and user but never the password.
   */
  private void logFailure(Exception e, long backoffMs) {
    if (e instanceof AuthenticationException && !authenticationFailureLogged) {
      authenticationFailureLogged = true;
      InterBrokerListener listener = replicas.interBroker();
      log.error("Follower {} cannot authenticate to broker {} on listener {} with {}: {}. It retries every {} ms at most, and the"
              + " partitions it follows leave their ISR meanwhile; check this node's sasl.jaas.config for that listener and"
              + " the user's credential in the cluster.",
          replicas.localNodeId(), leaderId, listener.listenerName(),
          listener.sasl().map(sasl -> sasl.mechanism() + " as " + sasl.username()).orElse("no SASL"),
          e.getMessage(), settings.fetchBackoffMax().toMillis());
    } else if (failedRounds == 1) {
      log.warn("Follower {} failed to fetch from broker {}; retrying with backoff up to {} ms: {}",
          replicas.localNodeId(), leaderId, settings.fetchBackoffMax().toMillis(), e.toString());
    } else {
      log.debug("Fetching from broker {} failed again ({} in a row); next try in {} ms", leaderId, failedRounds, backoffMs, e);
    }
  }

  private LeaderConnection connect() throws IOException {
    if (connection == null) {
      BrokerInfo.Endpoint leader = replicas.interBrokerEndpoint(leaderId);
      if (leader == null) {
        return null;
      }
      connection = new LeaderConnection(replicas.interBroker().sockets(), leader.host(), leader.port(),
          "replica-" + replicas.localNodeId(), replicas.interBroker().sasl(), (int) settings.connectTimeout().toMillis(), (int) settings.socketTimeout().toMillis());
    }
    return connection;
  }

  /** Asks the leader where each untruncated partition's latest local epoch ends there, and truncates to it. */
  private void truncatePending(LeaderConnection leader) throws Exception {
    OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
    Map<TopicPartition, Followed> pending = new LinkedHashMap<>();
    partitions.forEach((tp, followed) -> {
      PartitionLog partitionLog = logOf(tp);
      if (!followed.truncated() && partitionLog != null) {
        pending.put(tp, followed);
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic = topics.find(tp.topic());
        if (topic == null) {
          topic = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(tp.topic());
          topics.add(topic);
        }
        topic.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
            .setPartition(tp.partition())
            .setCurrentLeaderEpoch(followed.leaderEpoch())
            .setLeaderEpoch(partitionLog.leaderEpochCache().latestEpoch().orElse(LeaderEpochCache.UNDEFINED_EPOCH)));
      }
    });
    if (pending.isEmpty()) {
      return;
    }
    OffsetsForLeaderEpochResponse response = leader.send(
        OffsetsForLeaderEpochRequest.Builder.forFollower(topics, replicas.localNodeId()), ApiKeys.OFFSET_FOR_LEADER_EPOCH.latestVersion());
    for (OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult topic : response.data().topics()) {
      for (OffsetForLeaderEpochResponseData.EpochEndOffset result : topic.partitions()) {
        TopicPartition tp = new TopicPartition(topic.topic(), result.partition());
        Followed followed = pending.get(tp);
        PartitionLog partitionLog = logOf(tp);
        if (followed == null || partitionLog == null || result.errorCode() != Errors.NONE.code()) {
          continue;
        }
        long truncateTo = truncationOffset(partitionLog, result);
        if (truncateTo < partitionLog.logEndOffset()) {
          log.info("Follower {} of {} truncates its divergent tail from {} to {} (leader epoch {})",
              replicas.localNodeId(), tp, partitionLog.logEndOffset(), truncateTo, followed.leaderEpoch());
          // A failed cut fails this round: the partition stays untruncated and is asked again, never fetched onto.
          AskPattern.<PartitionReplica.Command, org.apache.pekko.Done>askWithStatus(writerOf(tp),
                  replyTo -> new PartitionReplica.TruncateTo(truncateTo, replyTo), settings.writeTimeout(), system.scheduler())
              .toCompletableFuture().get(settings.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        partitions.replace(tp, followed, new Followed(followed.leaderEpoch(), true));
      }
    }
  }

  /**
   * Where a follower's log stops agreeing with the leader's (KIP-101, KIP-279). With no common epoch
   * it keeps nothing the leader could contradict. If the leader's answer is an older epoch than ours,
   * our later epochs are unknown to the leader, so we also cut at our own end of that older epoch.
   */
  static long truncationOffset(PartitionLog follower, OffsetForLeaderEpochResponseData.EpochEndOffset leaderAnswer) {
    if (leaderAnswer.leaderEpoch() == LeaderEpochCache.UNDEFINED_EPOCH) {
      return follower.logStartOffset();
    }
    long offset = Math.min(leaderAnswer.endOffset(), follower.logEndOffset());
    int ourLatest = follower.leaderEpochCache().latestEpoch().orElse(LeaderEpochCache.UNDEFINED_EPOCH);
    if (leaderAnswer.leaderEpoch() < ourLatest) {
      offset = Math.min(offset, follower.leaderEpochCache().endOffsetFor(leaderAnswer.leaderEpoch()).endOffset());
    }
    return offset;
  }

  /**
   * One fetch of every partition ready to fetch, in the fetch session with this leader: after the
   * first (full) fetch, the request names only partitions whose position changed, added or
   * dropped ones, and the response carries only partitions with new data or offsets.
   */
  private void fetchOnce(LeaderConnection leader) throws Exception {
    FetchSessionHandler.Builder fetchData = session.newBuilder();
    ReplicationQuota quota = replicas.followerQuota();
    boolean quotaExceeded = quota.exceeded(System.currentTimeMillis());
    Set<TopicPartition> throttled = new HashSet<>();
    partitions.forEach((tp, followed) -> {
      PartitionLog partitionLog = logOf(tp);
      LocalReplica replica = replicas.replica(tp).orElse(null);
      if (replicas.followerThrottled(tp)) {
        if (quotaExceeded) {
          return; // a throttled replica sits out fetches until the node's follower budget refills
        }
        throttled.add(tp);
      }
      if (followed.truncated() && partitionLog != null && replica != null) {
        fetchData.add(tp, new FetchRequest.PartitionData(
            io.vltava.metadata.TopicIds.toKafka(replica.topicId()), partitionLog.logEndOffset(), partitionLog.logStartOffset(),
            throttled.contains(tp) ? quota.maxFetchBytes(settings.fetchMaxBytes()) : settings.fetchMaxBytes(), Optional.of(followed.leaderEpoch()),
            Optional.of(partitionLog.leaderEpochCache().latestEpoch().orElse(LeaderEpochCache.UNDEFINED_EPOCH))));
      }
    });
    FetchSessionHandler.FetchRequestData request = fetchData.build();
    // A built request is always sent, since the session handler now counts it as sent; only a
    // fetch naming nothing at all (no partition, none to forget) is skipped.
    if (request.sessionPartitions().isEmpty() && request.toForget().isEmpty()) {
      Thread.sleep(50); // partitions are still opening or truncating
      return;
    }
    // Version 12 names topics, so the follower needs no topic-id lookup of its own.
    FetchResponse response = leader.send(
        FetchRequest.Builder.forReplica(FETCH_VERSION, replicas.localNodeId(), -1, (int) settings.fetchWaitMax().toMillis(), 1,
                request.toSend())
            .removed(request.toForget()).replaced(request.toReplace()).metadata(request.metadata())
            .setMaxBytes(settings.fetchResponseMaxBytes()),
        FETCH_VERSION);
    if (paused) {
      // Paused while the fetch was in flight: drop what it brought, as a stalled follower would not
      // have it, and start the session afresh since the leader believes it was delivered.
      session.handleError(new IOException("response dropped while paused"));
      return;
    }
    if (!session.handleResponse(response, FETCH_VERSION)) {
      return; // a session error: the next fetch is a full one
    }
    long throttledBytes = 0;
    // The records are slices of the connection's response buffer, which the next request reuses:
    // each is appended (apply waits for its partition's actor) before this method returns.
    for (FetchResponseData.FetchableTopicResponse topic : response.data().responses()) {
      for (FetchResponseData.PartitionData data : topic.partitions()) {
        TopicPartition tp = new TopicPartition(topic.topic(), data.partitionIndex());
        if (throttled.contains(tp) && data.records() != null) {
          throttledBytes += data.records().sizeInBytes();
        }
        apply(tp, data);
      }
    }
    if (throttledBytes > 0) {
      quota.record(throttledBytes, System.currentTimeMillis());
    }
  }

  private void apply(TopicPartition tp, FetchResponseData.PartitionData data) throws Exception {
    Errors error = Errors.forCode(data.errorCode());
    Followed followed = partitions.get(tp);
    if (followed == null) {
      return;
    }
    if (error == Errors.OFFSET_OUT_OF_RANGE) {
      PartitionLog partitionLog = logOf(tp);
      if (partitionLog != null && data.logStartOffset() > partitionLog.logEndOffset()) {
        // The leader no longer holds our next offset (a new replica, or one long gone): copy from its log start.
        log.info("Follower {} of {} restarts its log at the leader's log start {}", replicas.localNodeId(), tp, data.logStartOffset());
        AskPattern.<PartitionReplica.Command, org.apache.pekko.Done>askWithStatus(writerOf(tp),
                replyTo -> new PartitionReplica.RestartAt(data.logStartOffset(), replyTo), settings.writeTimeout(), system.scheduler())
            .toCompletableFuture().get(settings.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return;
      }
      // Our log ends past the leader's: check the tail again.
      partitions.replace(tp, followed, new Followed(followed.leaderEpoch(), false));
      return;
    }
    if (error == Errors.TOPIC_AUTHORIZATION_FAILED) {
      // The leader refuses this node's fetches as a whole; retry with backoff rather than at once, and say why.
      throw new org.apache.kafka.common.errors.ClusterAuthorizationException("broker " + leaderId + " refused the follower fetch of "
          + tp + ": this node's principal needs CLUSTER_ACTION on the cluster (an ACL, or super.users)");
    }
    if (error != Errors.NONE) {
      return; // a stale or future epoch, or a leader change: the metadata update re-assigns the partition
    }
    MemoryRecords records = (MemoryRecords) FetchResponse.recordsOrFail(data);
    AppendOutcome outcome = AskPattern.<PartitionReplica.Command, AppendOutcome>ask(writerOf(tp),
            replyTo -> new PartitionReplica.AppendAsFollower(records, data.highWatermark(), replyTo), settings.writeTimeout(), system.scheduler())
        .toCompletableFuture().get(settings.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    if (outcome.error() != Errors.NONE) {
      if (failingAppends.add(tp)) {
        log.warn("Follower {} could not append {} from leader {}: {} {}", replicas.localNodeId(), tp, leaderId, outcome.error(), outcome.errorMessage());
      }
      partitions.replace(tp, followed, new Followed(followed.leaderEpoch(), false));
    } else if (failingAppends.remove(tp)) {
      log.info("Follower {} appends {} from leader {} again", replicas.localNodeId(), tp, leaderId);
    }
  }

  private PartitionLog logOf(TopicPartition tp) {
    return replicas.replica(tp).map(LocalReplica::log).orElse(null);
  }

  private org.apache.pekko.actor.typed.ActorRef<PartitionReplica.Command> writerOf(TopicPartition tp) {
    return replicas.replica(tp).map(LocalReplica::writer).orElseThrow(() -> new IllegalStateException(tp + " is not open here"));
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (IOException ignored) {
        // closing a broken connection: nothing more to do
      }
      connection = null;
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
