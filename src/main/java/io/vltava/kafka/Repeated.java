package io.vltava.kafka;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The items a request names more than once. Kafka refuses such entries (INVALID_REQUEST) rather
 * than letting one occurrence win, and admin handlers do the same.
 */
final class Repeated {
  private Repeated() {}

  static <T> Set<T> in(Collection<T> items) {
    Set<T> seen = new HashSet<>();
    Set<T> repeated = new LinkedHashSet<>();
    for (T item : items) {
      if (!seen.add(item)) {
        repeated.add(item);
      }
    }
    return repeated;
  }
}
