package io.vltava.group;

import io.vltava.metadata.CborSerializable;
import java.util.List;

/**
 * The classic group protocol's messages as the coordinator takes and gives them, independent of
 * the Kafka request versions. Error codes are Kafka's.
 */
public final class GroupProtocol {
  private GroupProtocol() {}

  /** One protocol a member can use (an assignor name), with its subscription metadata. */
  public record Protocol(String name, byte[] metadata) implements CborSerializable {}

  /** {@code supportsSkippingAssignment}: the client (JoinGroup v9+) can lead without reassigning (KIP-814). */
  public record JoinRequest(
      String memberId, String groupInstanceId, String clientId, String clientHost, int sessionTimeoutMs,
      int rebalanceTimeoutMs, String protocolType, List<Protocol> protocols, boolean requireKnownMemberId,
      boolean supportsSkippingAssignment)
      implements CborSerializable {}

  /** What the leader gets about each member: its metadata for the selected protocol. */
  public record JoinedMember(String memberId, String groupInstanceId, byte[] metadata) implements CborSerializable {}

  /** {@code skipAssignment}: the leader keeps the current assignment and only syncs (KIP-814). */
  public record JoinResult(
      short errorCode, int generationId, String protocolType, String protocolName, String leaderId, String memberId,
      List<JoinedMember> members, boolean skipAssignment) implements CborSerializable {

    public static JoinResult error(short errorCode, String memberId) {
      return new JoinResult(errorCode, -1, null, null, "", memberId, List.of(), false);
    }
  }

  public record SyncRequest(
      String memberId, String groupInstanceId, int generationId, String protocolType, String protocolName,
      List<Assignment> assignments) implements CborSerializable {}

  public record Assignment(String memberId, byte[] assignment) implements CborSerializable {}

  public record SyncResult(short errorCode, String protocolType, String protocolName, byte[] assignment)
      implements CborSerializable {

    static SyncResult error(short errorCode) {
      return new SyncResult(errorCode, null, null, new byte[0]);
    }
  }

  /** A member to remove: by member id, or by instance id for static members (member id may then be empty). */
  public record Leaving(String memberId, String groupInstanceId) implements CborSerializable {}

  /** The generation a request claims to belong to, checked by heartbeats and commits. */
  public record MemberGeneration(String memberId, String groupInstanceId, int generationId) implements CborSerializable {}

  public record MemberDescription(
      String memberId, String groupInstanceId, String clientId, String clientHost, byte[] metadata, byte[] assignment)
      implements CborSerializable {}

  /** A group as DescribeGroups and ListGroups show it; state is Kafka's name ("Stable", "Empty", "Dead", ...). */
  public record Description(
      String groupId, String state, String protocolType, String protocolName, List<MemberDescription> members)
      implements CborSerializable {}
}
