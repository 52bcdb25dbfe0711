package io.vltava.http.console;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A record's key, value or header value as the browser shows it: the UTF-8 text when the bytes
 * are valid UTF-8, else their base64, saying which; null bytes (a null key, a tombstone) stay null.
 */
record RecordText(String text, String encoding) {
  static final String UTF8 = "utf8";
  static final String BASE64 = "base64";

  static RecordText of(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      return new RecordText(text, UTF8);
    } catch (CharacterCodingException e) {
      return new RecordText(Base64.getEncoder().encodeToString(bytes), BASE64);
    }
  }
}
