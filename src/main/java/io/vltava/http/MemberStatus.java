package io.vltava.http;

import java.util.Locale;
import java.util.Set;
import org.apache.pekko.cluster.Member;

/** A cluster member's status as metrics and the console name it: {@code up}, {@code weakly_up}, ..., or {@code unreachable}. */
public final class MemberStatus {
  private MemberStatus() {}

  public static String of(Member member, Set<Member> unreachable) {
    if (unreachable.contains(member)) {
      return "unreachable";
    }
    return member.status().toString().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
