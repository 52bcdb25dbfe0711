package io.vltava.kafka;

import io.vltava.controller.Controller;
import io.vltava.security.ScramCredentialFormat;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterUserScramCredentialsRequest;
import org.apache.kafka.common.requests.AlterUserScramCredentialsResponse;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * AlterUserScramCredentials ({@code kafka-configs --alter --add-config 'SCRAM-SHA-512=[password=...]'
 * --entity-type users}): the client sends salt and salted password, never the password; the
 * controller stores the derived stored and server keys. One result per user, in request order; a
 * user whose changes are invalid keeps its credentials, as in Kafka.
 */
final class AlterUserScramCredentialsHandler implements ApiHandler {
  private final BrokerServices broker;

  AlterUserScramCredentialsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.ALTER_USER_SCRAM_CREDENTIALS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    AlterUserScramCredentialsRequestData data = ((AlterUserScramCredentialsRequest) request).data();
    Map<String, Optional<Errors>> refusals = new LinkedHashMap<>();
    Map<String, String> messages = new LinkedHashMap<>();
    Map<String, List<Controller.ScramCredentialChange>> changes = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (AlterUserScramCredentialsRequestData.ScramCredentialDeletion deletion : data.deletions()) {
      check(deletion.name(), deletion.mechanism(), null, seen, refusals, messages)
          .ifPresent(mechanism -> changes.computeIfAbsent(deletion.name(), u -> new ArrayList<>())
              .add(new Controller.ScramCredentialChange(deletion.name(), mechanism.mechanismName(), Optional.empty())));
    }
    for (AlterUserScramCredentialsRequestData.ScramCredentialUpsertion upsertion : data.upsertions()) {
      check(upsertion.name(), upsertion.mechanism(), upsertion, seen, refusals, messages)
          .ifPresent(mechanism -> changes.computeIfAbsent(upsertion.name(), u -> new ArrayList<>())
              .add(new Controller.ScramCredentialChange(upsertion.name(), mechanism.mechanismName(),
                  Optional.of(ScramCredentialFormat.fromSaltedPassword(mechanism.mechanismName(), upsertion.salt(),
                      upsertion.saltedPassword(), upsertion.iterations())))));
    }
    refusals.keySet().forEach(changes::remove);
    List<Controller.ScramCredentialChange> accepted = changes.values().stream().flatMap(List::stream).toList();
    CompletionStage<List<Controller.Outcome>> stored = accepted.isEmpty()
        ? CompletableFuture.completedFuture(List.of())
        : broker.changeMetadata(replyTo -> new Controller.AlterScramCredentials(accepted, replyTo));
    return stored.thenApply(outcomes -> {
      AlterUserScramCredentialsResponseData response = new AlterUserScramCredentialsResponseData();
      Map<String, AlterUserScramCredentialsResult> byUser = new LinkedHashMap<>();
      for (String user : seenUsersInOrder(data)) {
        byUser.put(user, new AlterUserScramCredentialsResult().setUser(user).setErrorCode(Errors.NONE.code()));
      }
      refusals.forEach((user, error) -> byUser.get(user).setErrorCode(error.orElseThrow().code()).setErrorMessage(messages.get(user)));
      for (int i = 0; i < outcomes.size(); i++) {
        AlterUserScramCredentialsResult result = byUser.get(accepted.get(i).user());
        if (result.errorCode() == Errors.NONE.code() && outcomes.get(i).errorCode() != Errors.NONE.code()) {
          result.setErrorCode(outcomes.get(i).errorCode()).setErrorMessage(outcomes.get(i).errorMessage());
        }
      }
      response.results().addAll(byUser.values());
      return new AlterUserScramCredentialsResponse(response);
    });
  }

  /** The mechanism of a valid change; for an invalid one records the user's error (the first one counts). */
  private static Optional<ScramMechanism> check(String user, byte mechanismType, AlterUserScramCredentialsRequestData.ScramCredentialUpsertion upsertion,
      Set<String> seen, Map<String, Optional<Errors>> refusals, Map<String, String> messages) {
    ScramMechanism mechanism = mechanismOf(mechanismType);
    String refusal = null;
    Errors error = null;
    if (user == null || user.isEmpty()) {
      error = Errors.UNACCEPTABLE_CREDENTIAL;
      refusal = "Username must not be empty";
    } else if (mechanism == null) {
      error = Errors.UNSUPPORTED_SASL_MECHANISM;
      refusal = "Unknown SCRAM mechanism";
    } else if (!seen.add(user + "/" + mechanism.mechanismName())) {
      error = Errors.DUPLICATE_RESOURCE;
      refusal = "A user credential cannot be altered twice in the same request";
    } else if (upsertion != null && upsertion.iterations() < mechanism.minIterations()) {
      error = Errors.UNACCEPTABLE_CREDENTIAL;
      refusal = "Too few iterations";
    } else if (upsertion != null && upsertion.iterations() > mechanism.maxIterations()) {
      error = Errors.UNACCEPTABLE_CREDENTIAL;
      refusal = "Too many iterations";
    } else if (upsertion != null && (upsertion.salt().length == 0 || upsertion.saltedPassword().length == 0)) {
      error = Errors.UNACCEPTABLE_CREDENTIAL;
      refusal = "Salt and salted password must not be empty";
    }
    if (error == null) {
      return Optional.of(mechanism);
    }
    String key = user == null ? "" : user;
    if (!refusals.containsKey(key)) {
      refusals.put(key, Optional.of(error));
      messages.put(key, refusal);
    }
    return Optional.empty();
  }

  static ScramMechanism mechanismOf(byte type) {
    for (ScramMechanism mechanism : ScramMechanism.values()) {
      if (mechanism.type() == type) {
        return mechanism;
      }
    }
    return null;
  }

  private static List<String> seenUsersInOrder(AlterUserScramCredentialsRequestData data) {
    Set<String> users = new java.util.LinkedHashSet<>();
    data.deletions().forEach(d -> users.add(d.name() == null ? "" : d.name()));
    data.upsertions().forEach(u -> users.add(u.name() == null ? "" : u.name()));
    return List.copyOf(users);
  }
}
