package io.vltava.kafka;

import io.vltava.kafka.FetchSession.Key;
import io.vltava.kafka.FetchSession.PartitionFetch;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * What one Fetch request means for fetch sessions (KIP-227), decided from its session id and
 * epoch before anything is read: which partitions to read, and how to turn what was read into the
 * response. Epoch 0 is a full fetch that may create a session; -1 (and every fetch below v7) a
 * sessionless one, closing the session it names; a positive epoch continues a session.
 */
sealed interface FetchContext {

  /** The partitions to read, in the order to read them. */
  List<PartitionFetch> partitions();

  /** The response, from what each of {@link #partitions()} gave (in that order). */
  FetchResponse respond(List<Fetched> fetched, List<Node> nodeEndpoints);

  /**
   * The answer to a fetch over its client's quota (Kafka's getThrottledResponse): no partitions,
   * {@code throttleTimeMs}, and the session left as it was, so what was read is sent again later.
   */
  FetchResponse throttled(int throttleTimeMs);

  /** A partition read for this fetch: its request, the key it has in the response, and the response. */
  record Fetched(PartitionFetch request, TopicIdPartition partition, PartitionData response) {}

  /** Decides the context of a request carrying {@code sessionId} and {@code epoch}; see the class comment. */
  static FetchContext of(FetchSessionCache cache, short version, int sessionId, int epoch, boolean fromFollower,
      List<PartitionFetch> requested, List<Key> forgotten) {
    boolean usesTopicIds = version >= FetchHandler.FIRST_VERSION_WITH_TOPIC_IDS;
    if (epoch == FetchMetadata.INITIAL_EPOCH || epoch == FetchMetadata.FINAL_EPOCH) {
      if (sessionId != FetchMetadata.INVALID_SESSION_ID) {
        cache.remove(sessionId);
      }
      return epoch == FetchMetadata.FINAL_EPOCH
          ? new Sessionless(requested)
          : new Full(cache, requested, fromFollower, usesTopicIds);
    }
    synchronized (cache) {
      FetchSession session = cache.get(sessionId);
      if (session == null) {
        return new SessionError(Errors.FETCH_SESSION_ID_NOT_FOUND);
      }
      synchronized (session) {
        if (session.epoch() != epoch) {
          return new SessionError(Errors.INVALID_FETCH_SESSION_EPOCH);
        }
        if (session.usesTopicIds() != usesTopicIds) {
          return new SessionError(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
        }
        session.update(requested, forgotten);
        if (session.size() == 0) {
          cache.remove(sessionId);
          return new Sessionless(requested);
        }
        cache.touch(session, cache.nowMs());
        session.epoch(FetchMetadata.nextEpoch(epoch));
        return new Incremental(session, epoch, session.requests());
      }
    }
  }

  private static LinkedHashMap<TopicIdPartition, PartitionData> all(List<Fetched> fetched) {
    LinkedHashMap<TopicIdPartition, PartitionData> responses = new LinkedHashMap<>();
    fetched.forEach(f -> responses.put(f.partition(), f.response()));
    return responses;
  }

  /** The session named was not found, or the request does not continue it: answered with the error alone. */
  record SessionError(Errors error) implements FetchContext {
    @Override
    public List<PartitionFetch> partitions() {
      return List.of();
    }

    @Override
    public FetchResponse respond(List<Fetched> fetched, List<Node> nodeEndpoints) {
      return FetchResponse.of(error, 0, FetchMetadata.INVALID_SESSION_ID, new LinkedHashMap<>(), List.of());
    }

    @Override
    public FetchResponse throttled(int throttleTimeMs) {
      return FetchResponse.of(error, throttleTimeMs, FetchMetadata.INVALID_SESSION_ID, new LinkedHashMap<>(), List.of());
    }
  }

  /** Reads the request's partitions and answers them all, with no session. */
  record Sessionless(List<PartitionFetch> partitions) implements FetchContext {
    @Override
    public FetchResponse respond(List<Fetched> fetched, List<Node> nodeEndpoints) {
      return FetchResponse.of(Errors.NONE, 0, FetchMetadata.INVALID_SESSION_ID, all(fetched), nodeEndpoints);
    }

    @Override
    public FetchResponse throttled(int throttleTimeMs) {
      return FetchResponse.of(Errors.NONE, throttleTimeMs, FetchMetadata.INVALID_SESSION_ID, new LinkedHashMap<>(), List.of());
    }
  }

  /** Reads the request's partitions and answers them all, caching them in a new session if the cache admits one. */
  record Full(FetchSessionCache cache, List<PartitionFetch> partitions, boolean fromFollower, boolean usesTopicIds)
      implements FetchContext {
    @Override
    public FetchResponse respond(List<Fetched> fetched, List<Node> nodeEndpoints) {
      int sessionId = cache.create(fromFollower, usesTopicIds, fetched.size(),
          session -> fetched.forEach(f -> session.cache(f.request(), f.response())));
      return FetchResponse.of(Errors.NONE, 0, sessionId, all(fetched), nodeEndpoints);
    }

    /** No session is created: the client's next fetch is a full one again. */
    @Override
    public FetchResponse throttled(int throttleTimeMs) {
      return FetchResponse.of(Errors.NONE, throttleTimeMs, FetchMetadata.INVALID_SESSION_ID, new LinkedHashMap<>(), List.of());
    }
  }

  /**
   * Reads every partition of the session and answers only those with news. If another request
   * moved the session on meanwhile (a duplicate), the answer is INVALID_FETCH_SESSION_EPOCH.
   */
  record Incremental(FetchSession session, int requestEpoch, List<PartitionFetch> partitions) implements FetchContext {
    @Override
    public FetchResponse respond(List<Fetched> fetched, List<Node> nodeEndpoints) {
      synchronized (session) {
        if (session.epoch() != FetchMetadata.nextEpoch(requestEpoch)) {
          return FetchResponse.of(Errors.INVALID_FETCH_SESSION_EPOCH, 0, session.id(), new LinkedHashMap<>(), nodeEndpoints);
        }
        LinkedHashMap<TopicIdPartition, PartitionData> news = new LinkedHashMap<>();
        for (Fetched f : fetched) {
          if (session.mustRespond(f.request(), f.response())) {
            news.put(f.partition(), f.response());
          }
        }
        return FetchResponse.of(Errors.NONE, 0, session.id(), news, nodeEndpoints);
      }
    }

    @Override
    public FetchResponse throttled(int throttleTimeMs) {
      synchronized (session) {
        Errors error = session.epoch() != FetchMetadata.nextEpoch(requestEpoch) ? Errors.INVALID_FETCH_SESSION_EPOCH : Errors.NONE;
        return FetchResponse.of(error, throttleTimeMs, session.id(), new LinkedHashMap<>(), List.of());
      }
    }
  }
}
