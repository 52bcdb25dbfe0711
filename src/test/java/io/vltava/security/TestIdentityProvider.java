package io.vltava.security;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;

/**
 * An OAuth identity provider for tests, on 127.0.0.1: an RSA signing key generated here, its JWKS
 * served at {@code /jwks} (or written to a file), and a client-credentials token endpoint at
 * {@code /token} as Kafka's OAuthBearerLoginCallbackHandler and other clients call it: HTTP Basic
 * {@code clientId:clientId-secret}, answered with a JWT whose subject is the client id. A second key,
 * absent from the JWKS, signs the tokens that must be refused.
 */
public final class TestIdentityProvider implements AutoCloseable {

  public static final String ISSUER = "https://idp.vltava.test";
  public static final String AUDIENCE = "vltava";
  public static final String KEY_ID = "idp-key-1";
  private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofMinutes(10);

  private final RsaJsonWebKey signingKey;
  private final RsaJsonWebKey strangerKey;
  private final HttpServer http;
  private final Map<String, Duration> tokenLifetimes = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> tokensIssued = new ConcurrentHashMap<>();

  private TestIdentityProvider(RsaJsonWebKey signingKey, RsaJsonWebKey strangerKey, HttpServer http) {
    this.signingKey = signingKey;
    this.strangerKey = strangerKey;
    this.http = http;
  }

  public static TestIdentityProvider start() throws Exception {
    RsaJsonWebKey signing = RsaJwkGenerator.generateJwk(2048);
    signing.setKeyId(KEY_ID);
    RsaJsonWebKey stranger = RsaJwkGenerator.generateJwk(2048);
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    TestIdentityProvider idp = new TestIdentityProvider(signing, stranger, http);
    http.createContext("/jwks", exchange -> idp.respond(exchange, 200, idp.jwksJson()));
    http.createContext("/token", idp::issueToken);
    http.start();
    return idp;
  }

  public String jwksUrl() {
    return baseUrl() + "/jwks";
  }

  public String tokenUrl() {
    return baseUrl() + "/token";
  }

  private String baseUrl() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  /** Writes the JWKS to {@code file} and returns its file: URL. */
  public String writeJwks(Path file) throws IOException {
    Files.writeString(file, jwksJson());
    return file.toUri().toString();
  }

  private String jwksJson() {
    return new JsonWebKeySet(signingKey).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
  }

  /** Tokens the endpoint issues to {@code clientId} from now on last {@code lifetime}. */
  public void tokenLifetime(String clientId, Duration lifetime) {
    tokenLifetimes.put(clientId, lifetime);
  }

  public int tokensIssued(String clientId) {
    return tokensIssued.getOrDefault(clientId, new AtomicInteger()).get();
  }

  /** The claims of a token this provider would issue to {@code subject}, valid for {@code lifetime}. */
  public static JwtClaims claims(String subject, Duration lifetime) {
    JwtClaims claims = new JwtClaims();
    claims.setIssuer(ISSUER);
    claims.setAudience(AUDIENCE);
    claims.setSubject(subject);
    claims.setIssuedAtToNow();
    claims.setExpirationTime(NumericDate.fromMilliseconds(System.currentTimeMillis() + lifetime.toMillis()));
    claims.setStringClaim("scope", "kafka");
    return claims;
  }

  /** A valid token for {@code subject}. */
  public String token(String subject, Duration lifetime) throws Exception {
    return signed(claims(subject, lifetime));
  }

  /** {@code claims} signed with the provider's key, under its key id. */
  public String signed(JwtClaims claims) throws Exception {
    return sign(claims, signingKey, KEY_ID);
  }

  /** {@code claims} signed with a key the JWKS does not hold, under {@code keyId}. */
  public String signedByStranger(JwtClaims claims, String keyId) throws Exception {
    return sign(claims, strangerKey, keyId);
  }

  private static String sign(JwtClaims claims, RsaJsonWebKey key, String keyId) throws Exception {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setKey(key.getPrivateKey());
    jws.setKeyIdHeaderValue(keyId);
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
    return jws.getCompactSerialization();
  }

  private void issueToken(HttpExchange exchange) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    exchange.getRequestBody().readAllBytes();
    String clientId = null;
    if (authorization != null && authorization.startsWith("Basic ")) {
      String[] credentials = new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8).split(":", 2);
      if (credentials.length == 2 && credentials[1].equals(credentials[0] + "-secret")) {
        clientId = credentials[0];
      }
    }
    if (clientId == null) {
      respond(exchange, 401, "{\"error\":\"invalid_client\"}");
      return;
    }
    Duration lifetime = tokenLifetimes.getOrDefault(clientId, DEFAULT_TOKEN_LIFETIME);
    try {
      String token = token(clientId, lifetime);
      tokensIssued.computeIfAbsent(clientId, id -> new AtomicInteger()).incrementAndGet();
      respond(exchange, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
          + lifetime.toSeconds() + "}");
    } catch (Exception e) {
      respond(exchange, 500, "{\"error\":\"server_error\"}");
    }
  }

  private void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
