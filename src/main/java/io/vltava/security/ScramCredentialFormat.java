package io.vltava.security;

import io.vltava.metadata.ScramCredentials;
import java.security.GeneralSecurityException;
import java.util.Base64;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/** Turns passwords and salted passwords into the stored form of a SCRAM credential, and back to kafka-clients' type. */
public final class ScramCredentialFormat {
  private ScramCredentialFormat() {}

  /** From a password, with a fresh random salt (bootstrap credentials). */
  public static ScramCredentials.Stored fromPassword(String mechanism, String password, int iterations) {
    try {
      return stored(formatter(mechanism).generateCredential(password, iterations));
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException("cannot derive a " + mechanism + " credential");
    }
  }

  /** From what AlterUserScramCredentials carries: the client salts and hashes, the password never travels. */
  public static ScramCredentials.Stored fromSaltedPassword(String mechanism, byte[] salt, byte[] saltedPassword, int iterations) {
    return stored(formatter(mechanism).generateCredential(salt, saltedPassword, iterations));
  }

  public static ScramCredential toKafka(ScramCredentials.Stored stored) {
    Base64.Decoder base64 = Base64.getDecoder();
    return new ScramCredential(base64.decode(stored.saltBase64()), base64.decode(stored.storedKeyBase64()),
        base64.decode(stored.serverKeyBase64()), stored.iterations());
  }

  private static ScramCredentials.Stored stored(ScramCredential credential) {
    Base64.Encoder base64 = Base64.getEncoder();
    return new ScramCredentials.Stored(base64.encodeToString(credential.salt()), base64.encodeToString(credential.storedKey()),
        base64.encodeToString(credential.serverKey()), credential.iterations());
  }

  private static ScramFormatter formatter(String mechanism) {
    try {
      return new ScramFormatter(ScramMechanism.forMechanismName(mechanism));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks " + mechanism + "'s hash", e);
    }
  }
}
