package io.vltava.kafka;

import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;

/**
 * The authorized-operations bit fields that Metadata, DescribeCluster and DescribeGroups return
 * when a client asks for them: bit {@code code} set for each allowed operation, as Kafka encodes them.
 */
final class AuthorizedOperations {
  /** What a response carries when the request did not ask (the generated classes' default). */
  static final int NOT_REQUESTED = Integer.MIN_VALUE;

  private AuthorizedOperations() {}

  static int bitField(Set<AclOperation> operations) {
    return operations.stream().mapToInt(operation -> 1 << operation.code()).reduce(0, (a, b) -> a | b);
  }
}
