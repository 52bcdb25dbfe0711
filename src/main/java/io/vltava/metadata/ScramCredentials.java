package io.vltava.metadata;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.errors.ResourceNotFoundException;

/**
 * The SCRAM credentials of the cluster's users, per user and mechanism ("SCRAM-SHA-512"), as RFC
 * 5802 stores them: salt, stored key, server key and iteration count, never a password. Immutable.
 */
public record ScramCredentials(Map<String, Map<String, Stored>> byUser) implements CborSerializable {

  /** One salted credential; the byte fields are Base64 so that equal credentials are equal records. */
  public record Stored(String saltBase64, String storedKeyBase64, String serverKeyBase64, int iterations)
      implements CborSerializable {}

  public static final ScramCredentials NONE = new ScramCredentials(Map.of());

  public ScramCredentials {
    Map<String, Map<String, Stored>> copy = new HashMap<>();
    byUser.forEach((user, mechanisms) -> copy.put(user, Map.copyOf(mechanisms)));
    byUser = Map.copyOf(copy);
  }

  public boolean isEmpty() {
    return byUser.isEmpty();
  }

  public Optional<Stored> credential(String user, String mechanism) {
    return Optional.ofNullable(byUser.getOrDefault(user, Map.of()).get(mechanism));
  }

  public ScramCredentials with(String user, String mechanism, Stored credential) {
    Map<String, Map<String, Stored>> next = new HashMap<>(byUser);
    Map<String, Stored> mechanisms = new HashMap<>(byUser.getOrDefault(user, Map.of()));
    mechanisms.put(mechanism, credential);
    next.put(user, mechanisms);
    return new ScramCredentials(next);
  }

  /** As Kafka: deleting a credential the user does not have is RESOURCE_NOT_FOUND. */
  public ScramCredentials without(String user, String mechanism) {
    Map<String, Stored> mechanisms = new HashMap<>(byUser.getOrDefault(user, Map.of()));
    if (mechanisms.remove(mechanism) == null) {
      throw new ResourceNotFoundException("Attempt to delete a user credential that does not exist");
    }
    Map<String, Map<String, Stored>> next = new HashMap<>(byUser);
    if (mechanisms.isEmpty()) {
      next.remove(user);
    } else {
      next.put(user, mechanisms);
    }
    return new ScramCredentials(next);
  }
}
