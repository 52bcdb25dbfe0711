package io.vltava.log;

import java.nio.file.Path;
import org.apache.kafka.common.errors.CorruptRecordException;

/**
 * A segment file holds bytes that are not a valid batch where one should start. Carries the file,
 * the byte position and the reason; maps to Kafka's CORRUPT_MESSAGE error like its superclass.
 */
public final class CorruptSegmentException extends CorruptRecordException {
  private final Path file;
  private final long position;
  private final String reason;

  public CorruptSegmentException(Path file, long position, String reason) {
    super(file + " position " + position + ": " + reason);
    this.file = file;
    this.position = position;
    this.reason = reason;
  }

  public Path file() {
    return file;
  }

  public long position() {
    return position;
  }

  public String reason() {
    return reason;
  }
}
