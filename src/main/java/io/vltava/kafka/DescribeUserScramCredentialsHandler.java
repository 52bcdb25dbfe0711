package io.vltava.kafka;

import io.vltava.metadata.ScramCredentials;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsResponse;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * DescribeUserScramCredentials ({@code kafka-configs --describe --entity-type users}): which SCRAM
 * mechanisms each user has, with their iteration counts; never salts or keys. No users (null or
 * empty) means every user with a credential.
 */
final class DescribeUserScramCredentialsHandler implements ApiHandler {
  private final BrokerServices broker;

  DescribeUserScramCredentialsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    DescribeUserScramCredentialsRequestData data = ((DescribeUserScramCredentialsRequest) request).data();
    ScramCredentials credentials = broker.cluster().scramCredentials();
    DescribeUserScramCredentialsResponseData response = new DescribeUserScramCredentialsResponseData();
    if (data.users() == null || data.users().isEmpty()) {
      new TreeSet<>(credentials.byUser().keySet()).forEach(user -> response.results().add(describe(user, credentials)));
      return CompletableFuture.completedFuture(new DescribeUserScramCredentialsResponse(response));
    }
    Map<String, Integer> requested = new HashMap<>();
    data.users().forEach(user -> requested.merge(user.name(), 1, Integer::sum));
    List<String> answered = new ArrayList<>();
    for (DescribeUserScramCredentialsRequestData.UserName user : data.users()) {
      if (answered.contains(user.name())) {
        continue;
      }
      answered.add(user.name());
      if (requested.get(user.name()) > 1) {
        response.results().add(new DescribeUserScramCredentialsResult().setUser(user.name())
            .setErrorCode(Errors.DUPLICATE_RESOURCE.code()).setErrorMessage("Cannot describe SCRAM credentials for the same user twice in a single request: " + user.name()));
      } else if (!credentials.byUser().containsKey(user.name())) {
        response.results().add(new DescribeUserScramCredentialsResult().setUser(user.name())
            .setErrorCode(Errors.RESOURCE_NOT_FOUND.code()).setErrorMessage("Attempt to describe a user credential that does not exist: " + user.name()));
      } else {
        response.results().add(describe(user.name(), credentials));
      }
    }
    return CompletableFuture.completedFuture(new DescribeUserScramCredentialsResponse(response));
  }

  private static DescribeUserScramCredentialsResult describe(String user, ScramCredentials credentials) {
    DescribeUserScramCredentialsResult result = new DescribeUserScramCredentialsResult().setUser(user).setErrorCode(Errors.NONE.code());
    for (ScramMechanism mechanism : ScramMechanism.values()) {
      credentials.credential(user, mechanism.mechanismName()).ifPresent(stored -> result.credentialInfos().add(
          new CredentialInfo().setMechanism(mechanism.type()).setIterations(stored.iterations())));
    }
    return result;
  }
}
