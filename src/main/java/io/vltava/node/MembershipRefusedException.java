package io.vltava.node;

/** This node must not join: its data directory, or its seeds, belong to another cluster (or node). */
public final class MembershipRefusedException extends RuntimeException {
  public MembershipRefusedException(String reason) {
    super(reason);
  }
}
