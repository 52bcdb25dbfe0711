package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterUserScramCredentialsResponse;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsResponse;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * AlterUserScramCredentials: an upsertion stores a credential that SCRAM then accepts with the
 * password (only salt and salted password travel); a deletion removes it. One result per user:
 * invalid iterations or name UNACCEPTABLE_CREDENTIAL, an unknown mechanism UNSUPPORTED_SASL_MECHANISM,
 * the same credential twice DUPLICATE_RESOURCE, deleting a missing one RESOURCE_NOT_FOUND.
 */
final class AlterUserScramCredentialsCase implements ApiCase {

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.ALTER_USER_SCRAM_CREDENTIALS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    String user = "alice-v" + version;
    AlterUserScramCredentialsResponse stored = broker.send(new AlterUserScramCredentialsRequestData()
        .setUpsertions(List.of(upsertion(user, ScramMechanism.SCRAM_SHA_512, "alice-secret", 8192))), version);
    assertEquals(Map.of(user, Errors.NONE.code()), errors(stored));

    try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
      SaslAuthenticateResponse authenticated = SaslCases.scram(sasl, ScramMechanism.SCRAM_SHA_512, user, "alice-secret", (short) 2);
      assertEquals(Errors.NONE.code(), authenticated.data().errorCode());
    }

    AlterUserScramCredentialsResponse refused = broker.send(new AlterUserScramCredentialsRequestData()
        .setUpsertions(List.of(
            upsertion("few-iterations", ScramMechanism.SCRAM_SHA_256, "x", 100),
            upsertion("", ScramMechanism.SCRAM_SHA_256, "x", 4096),
            upsertion("twice", ScramMechanism.SCRAM_SHA_256, "x", 4096),
            upsertion("twice", ScramMechanism.SCRAM_SHA_256, "y", 4096)))
        .setDeletions(List.of(
            new ScramCredentialDeletion().setName("unknown-mechanism").setMechanism((byte) 0),
            new ScramCredentialDeletion().setName("nobody").setMechanism(ScramMechanism.SCRAM_SHA_256.type()))), version);
    assertEquals(Map.of(
        "few-iterations", Errors.UNACCEPTABLE_CREDENTIAL.code(),
        "", Errors.UNACCEPTABLE_CREDENTIAL.code(),
        "twice", Errors.DUPLICATE_RESOURCE.code(),
        "unknown-mechanism", Errors.UNSUPPORTED_SASL_MECHANISM.code(),
        "nobody", Errors.RESOURCE_NOT_FOUND.code()), errors(refused));
    DescribeUserScramCredentialsResponse none = broker.send(new DescribeUserScramCredentialsRequestData()
        .setUsers(List.of(new DescribeUserScramCredentialsRequestData.UserName().setName("twice"))), (short) 0);
    assertEquals(Errors.RESOURCE_NOT_FOUND.code(), none.data().results().get(0).errorCode(), "a refused user gets nothing");

    AlterUserScramCredentialsResponse deleted = broker.send(new AlterUserScramCredentialsRequestData()
        .setDeletions(List.of(new ScramCredentialDeletion().setName(user).setMechanism(ScramMechanism.SCRAM_SHA_512.type()))), version);
    assertEquals(Map.of(user, Errors.NONE.code()), errors(deleted));
    try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
      SaslAuthenticateResponse gone = SaslCases.scram(sasl, ScramMechanism.SCRAM_SHA_512, user, "alice-secret", (short) 2);
      assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), gone.data().errorCode());
    }
  }

  private static ScramCredentialUpsertion upsertion(String user, ScramMechanism mechanism, String password, int iterations)
      throws Exception {
    ScramFormatter formatter = new ScramFormatter(mechanism);
    byte[] salt = formatter.secureRandomBytes();
    return new ScramCredentialUpsertion().setName(user).setMechanism(mechanism.type()).setIterations(iterations)
        .setSalt(salt).setSaltedPassword(iterations < mechanism.minIterations() ? new byte[] {1}
            : formatter.saltedPassword(password, salt, iterations));
  }

  private static Map<String, Short> errors(AlterUserScramCredentialsResponse response) {
    return response.data().results().stream()
        .collect(Collectors.toMap(AlterUserScramCredentialsResult::user, AlterUserScramCredentialsResult::errorCode));
  }
}
