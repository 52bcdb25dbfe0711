package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsResponse;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * DescribeUserScramCredentials: every user (no names) or the named ones, each with its mechanisms and
 * iterations; the bootstrap credential is there from the start. An unknown user is RESOURCE_NOT_FOUND,
 * a user named twice DUPLICATE_RESOURCE.
 */
final class DescribeUserScramCredentialsCase implements ApiCase {

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    DescribeUserScramCredentialsResponse all = broker.send(new DescribeUserScramCredentialsRequestData().setUsers(null), version);
    assertEquals(Errors.NONE.code(), all.data().errorCode());
    DescribeUserScramCredentialsResult bootstrap = all.data().results().stream()
        .filter(result -> result.user().equals(SaslCases.SCRAM_USER)).findFirst().orElseThrow();
    assertEquals(List.of(new CredentialInfo().setMechanism(ScramMechanism.SCRAM_SHA_256.type()).setIterations(4096)),
        bootstrap.credentialInfos());

    DescribeUserScramCredentialsResponse named = broker.send(new DescribeUserScramCredentialsRequestData().setUsers(List.of(
        new UserName().setName(SaslCases.SCRAM_USER), new UserName().setName("nobody"))), version);
    assertEquals(List.of(SaslCases.SCRAM_USER, "nobody"), named.data().results().stream().map(DescribeUserScramCredentialsResult::user).toList());
    assertEquals(Errors.NONE.code(), named.data().results().get(0).errorCode());
    assertEquals(1, named.data().results().get(0).credentialInfos().size());
    assertEquals(Errors.RESOURCE_NOT_FOUND.code(), named.data().results().get(1).errorCode());

    DescribeUserScramCredentialsResponse twice = broker.send(new DescribeUserScramCredentialsRequestData().setUsers(List.of(
        new UserName().setName(SaslCases.SCRAM_USER), new UserName().setName(SaslCases.SCRAM_USER))), version);
    assertEquals(Errors.DUPLICATE_RESOURCE.code(), twice.data().results().get(0).errorCode());
    assertTrue(twice.data().results().get(0).credentialInfos().isEmpty());
  }
}
