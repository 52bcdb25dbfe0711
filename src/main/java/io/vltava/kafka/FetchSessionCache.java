package io.vltava.kafka;

import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.apache.kafka.common.requests.FetchMetadata;

/**
 * The node's incremental fetch sessions, at most {@code max.incremental.fetch.session.cache.slots}
 * of them (0: none; every fetch is then sessionless). A full fetch that finds no free slot may evict,
 * as Kafka's cache does: first a session unused for longer than the eviction time; else the least
 * valuable session older than it (followers' before consumers', then fewer partitions first), if
 * the newcomer is worth more; a follower's newcomer may also evict a consumer's session of any age.
 * When nothing can be evicted the fetch is served without a session.
 *
 * <p>Thread-safe: every method holds this cache's lock, and may take a session's lock inside it.
 */
public final class FetchSessionCache {
  /** How a session ranks for eviction: consumers' before followers', then smaller before larger. */
  private static final Comparator<FetchSession> LEAST_VALUABLE_FIRST = Comparator
      .comparing(FetchSession::privileged)
      .thenComparingInt(session -> session.cachedSize)
      .thenComparingInt(FetchSession::id);

  private final int maxSessions;
  private final long evictionMs;
  private final Clock clock;
  private final Map<Integer, FetchSession> sessions = new HashMap<>();
  private long cachedPartitions;
  private long evictions;

  public FetchSessionCache(FetchSessionSettings settings, Clock clock) {
    this.maxSessions = settings.maxSessions();
    this.evictionMs = settings.evictionMs();
    this.clock = clock;
  }

  /** Sessions held now (Kafka's NumIncrementalFetchSessions). */
  public synchronized int size() {
    return sessions.size();
  }

  /** Partitions over all sessions (Kafka's NumIncrementalFetchPartitionsCached). */
  public synchronized long cachedPartitions() {
    return cachedPartitions;
  }

  /** Sessions evicted to make room for new ones since start. */
  public synchronized long evictions() {
    return evictions;
  }

  synchronized FetchSession get(int sessionId) {
    return sessions.get(sessionId);
  }

  long nowMs() {
    return clock.millis();
  }

  /**
   * Creates a session if there is room or room can be made, filled by {@code fill}; returns its id,
   * or {@link FetchMetadata#INVALID_SESSION_ID} when the fetch must go without one.
   */
  synchronized int create(boolean privileged, boolean usesTopicIds, int partitionCount, Consumer<FetchSession> fill) {
    long now = nowMs();
    if (sessions.size() >= maxSessions && !evictForNewcomer(privileged, partitionCount, now)) {
      return FetchMetadata.INVALID_SESSION_ID;
    }
    FetchSession session = new FetchSession(newSessionId(), privileged, usesTopicIds, now,
        FetchMetadata.nextEpoch(FetchMetadata.INITIAL_EPOCH));
    session.cachedSize = 0;
    fill.accept(session);
    sessions.put(session.id(), session);
    touch(session, now);
    return session.id();
  }

  /** Marks {@code session} used now and re-counts its partitions. */
  synchronized void touch(FetchSession session, long now) {
    session.lastUsedMs = now;
    int size = session.size();
    cachedPartitions += size - session.cachedSize;
    session.cachedSize = size;
  }

  synchronized void remove(int sessionId) {
    FetchSession session = sessions.remove(sessionId);
    if (session != null) {
      cachedPartitions -= session.cachedSize;
    }
  }

  private boolean evictForNewcomer(boolean privileged, int partitionCount, long now) {
    FetchSession idlest = sessions.values().stream()
        .min(Comparator.comparingLong((FetchSession session) -> session.lastUsedMs).thenComparingInt(FetchSession::id))
        .orElse(null);
    if (idlest == null) {
      return false;
    }
    if (now - idlest.lastUsedMs > evictionMs) {
      evict(idlest);
      return true;
    }
    FetchSession leastValuable = sessions.values().stream()
        .filter(session -> now - session.creationMs() > evictionMs || (privileged && !session.privileged()))
        .min(LEAST_VALUABLE_FIRST)
        .orElse(null);
    if (leastValuable == null || !worthMore(privileged, partitionCount, leastValuable)) {
      return false;
    }
    evict(leastValuable);
    return true;
  }

  /** A newcomer is worth more than a session if it is a follower's and the session a consumer's, or it has more partitions. */
  private static boolean worthMore(boolean privileged, int partitionCount, FetchSession session) {
    if (privileged != session.privileged()) {
      return privileged;
    }
    return partitionCount > session.cachedSize;
  }

  private void evict(FetchSession session) {
    remove(session.id());
    evictions++;
  }

  private int newSessionId() {
    int id;
    do {
      id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
    } while (sessions.containsKey(id));
    return id;
  }
}
