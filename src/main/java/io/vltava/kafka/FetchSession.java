package io.vltava.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * An incremental fetch session (KIP-227): the partitions one fetcher reads, each with what it last
 * asked (offset, byte limit, leader epoch) and what it was last told (high watermark, log start
 * offset). An incremental request names only the partitions whose request changed, and the ones to
 * forget; its response carries only the partitions with news. A session started at Fetch v13 or
 * later knows its partitions by topic id, an older one by topic name.
 *
 * <p>The session's own lock guards its partitions and epoch. {@link FetchSessionCache} takes it
 * while holding the cache's lock, never the other way round.
 */
final class FetchSession {

  /** A partition a fetch reads: the topic by id (v13+, name then null) or by name, and how to read it. */
  record PartitionFetch(Uuid topicId, String topic, int partition, long fetchOffset, int maxBytes, int currentLeaderEpoch) {
    Key key(boolean usesTopicIds) {
      return usesTopicIds ? new Key(topicId, null, partition) : new Key(Uuid.ZERO_UUID, topic, partition);
    }
  }

  /** How a session tells its partitions apart: by topic id, or by name in sessions without ids. */
  record Key(Uuid topicId, String topic, int partition) {}

  /** A session's partition: the request last cached for it, and what the fetcher was last told. */
  private static final class CachedPartition {
    private PartitionFetch request;
    private long highWatermark;
    private long logStartOffset;

    CachedPartition(PartitionFetch request, long highWatermark, long logStartOffset) {
      this.request = request;
      this.highWatermark = highWatermark;
      this.logStartOffset = logStartOffset;
    }

    /**
     * Whether an incremental response must carry this partition (records, a moved high watermark
     * or log start offset, or an error), remembering what it now tells. After an error the cached
     * high watermark is forgotten, so the partition is sent again once the error clears.
     */
    boolean mustRespond(FetchResponseData.PartitionData response) {
      boolean news = FetchResponse.recordsSize(response) > 0;
      if (highWatermark != response.highWatermark()) {
        news = true;
        highWatermark = response.highWatermark();
      }
      if (logStartOffset != response.logStartOffset()) {
        news = true;
        logStartOffset = response.logStartOffset();
      }
      if (response.errorCode() != Errors.NONE.code()) {
        news = true;
        highWatermark = -1;
      }
      return news;
    }
  }

  private final int id;
  private final boolean privileged;
  private final boolean usesTopicIds;
  private final long creationMs;
  private final LinkedHashMap<Key, CachedPartition> partitions = new LinkedHashMap<>();
  private int epoch;
  // Kept by FetchSessionCache under its own lock: when last used, and the size it ranks the session by.
  long lastUsedMs;
  int cachedSize;

  FetchSession(int id, boolean privileged, boolean usesTopicIds, long creationMs, int epoch) {
    this.id = id;
    this.privileged = privileged;
    this.usesTopicIds = usesTopicIds;
    this.creationMs = creationMs;
    this.lastUsedMs = creationMs;
    this.epoch = epoch;
  }

  int id() {
    return id;
  }

  /** Sessions of followers are privileged: they may evict consumers' sessions from a full cache. */
  boolean privileged() {
    return privileged;
  }

  boolean usesTopicIds() {
    return usesTopicIds;
  }

  long creationMs() {
    return creationMs;
  }

  synchronized int epoch() {
    return epoch;
  }

  synchronized void epoch(int next) {
    epoch = next;
  }

  synchronized int size() {
    return partitions.size();
  }

  /** Caches a full fetch's partitions with what its response told about each. */
  synchronized void cache(PartitionFetch request, FetchResponseData.PartitionData response) {
    partitions.put(request.key(usesTopicIds), new CachedPartition(request, response.highWatermark(), response.logStartOffset()));
  }

  /**
   * An incremental request: its partitions are added or replace the cached request (a new one is
   * sent in full in the next response, as nothing was told about it yet); forgotten ones are removed.
   */
  synchronized void update(List<PartitionFetch> requested, List<Key> forgotten) {
    for (PartitionFetch request : requested) {
      CachedPartition cached = partitions.get(request.key(usesTopicIds));
      if (cached == null) {
        partitions.put(request.key(usesTopicIds), new CachedPartition(request, -1, -1));
      } else {
        cached.request = request;
      }
    }
    forgotten.forEach(partitions::remove);
  }

  /** What to read for an incremental fetch: every partition, in the session's order. */
  synchronized List<PartitionFetch> requests() {
    List<PartitionFetch> requests = new ArrayList<>(partitions.size());
    partitions.values().forEach(cached -> requests.add(cached.request));
    return requests;
  }

  /**
   * Whether an incremental response must carry this partition (see {@link CachedPartition#mustRespond}).
   * One that returns records moves to the end of the session's order, so that when the response's
   * byte limit runs out, the next fetch reads the others first.
   */
  synchronized boolean mustRespond(PartitionFetch request, FetchResponseData.PartitionData response) {
    Key key = request.key(usesTopicIds);
    CachedPartition cached = partitions.get(key);
    if (cached == null || !cached.mustRespond(response)) {
      return false;
    }
    if (FetchResponse.recordsSize(response) > 0) {
      partitions.remove(key);
      partitions.put(key, cached);
    }
    return true;
  }
}
