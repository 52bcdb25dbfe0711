package io.vltava.kafka;

import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;

/**
 * The authorized-operations bit fields that Metadata and DescribeCluster return when a client asks
 * for them. No authorizer exists yet, so, as Kafka answers without one, every operation that
 * applies to the resource type is allowed (Kafka's AclEntry.supportedOperations).
 */
final class AuthorizedOperations {
  static final int TOPIC = bitField(Set.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE,
      AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS,
      AclOperation.ALTER_CONFIGS));
  static final int CLUSTER = bitField(Set.of(AclOperation.CREATE, AclOperation.CLUSTER_ACTION,
      AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER,
      AclOperation.DESCRIBE));
  /** What a response carries when the request did not ask (the generated classes' default). */
  static final int NOT_REQUESTED = Integer.MIN_VALUE;

  private AuthorizedOperations() {}

  private static int bitField(Set<AclOperation> operations) {
    return operations.stream().mapToInt(operation -> 1 << operation.code()).reduce(0, (a, b) -> a | b);
  }
}
