package io.vltava.log;

/** (leader epoch → start offset) entries of one partition replica, persisted in its directory. */
public final class LeaderEpochCache {
  private LeaderEpochCache() {}
}
