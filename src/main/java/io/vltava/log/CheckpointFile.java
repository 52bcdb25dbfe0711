package io.vltava.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A small text file of lines, replaced atomically (write a temp file, fsync, rename, fsync the
 * directory) and ending with a CRC32C line, so a reader sees the old or the new content, never a
 * mix, and notices bit rot. Not thread-safe; each file has one owner.
 */
final class CheckpointFile {
  private static final String CRC_PREFIX = "crc32c ";

  private final Path file;

  CheckpointFile(Path file) {
    this.file = file;
  }

  Path path() {
    return file;
  }

  void write(List<String> lines) throws IOException {
    writeBeforeDirectorySync(lines);
    fsyncDirectory(file.getParent());
  }

  /**
   * As {@link #write}, but the caller fsyncs the directory afterwards (one directory fsync makes
   * every rename in it durable), e.g. a file written just before the clean-shutdown marker.
   */
  void writeBeforeDirectorySync(List<String> lines) throws IOException {
    StringBuilder content = new StringBuilder();
    for (String line : lines) {
      content.append(line).append('\n');
    }
    byte[] body = content.toString().getBytes(StandardCharsets.UTF_8);
    byte[] crcLine = (CRC_PREFIX + crc(body) + "\n").getBytes(StandardCharsets.UTF_8);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.allocate(body.length + crcLine.length).put(body).put(crcLine).flip();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The lines without the CRC line; empty if the file is absent, torn or fails its CRC. */
  Optional<List<String>> read() throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    int crcStart = text.lastIndexOf(CRC_PREFIX);
    if (crcStart < 0 || !text.endsWith("\n") || (crcStart > 0 && text.charAt(crcStart - 1) != '\n')) {
      return Optional.empty();
    }
    byte[] body = text.substring(0, crcStart).getBytes(StandardCharsets.UTF_8);
    String stored = text.substring(crcStart + CRC_PREFIX.length(), text.length() - 1);
    if (!stored.equals(Long.toString(crc(body)))) {
      return Optional.empty();
    }
    List<String> lines = new ArrayList<>();
    for (String line : text.substring(0, crcStart).split("\n", -1)) {
      if (!line.isEmpty()) {
        lines.add(line);
      }
    }
    return Optional.of(lines);
  }

  void delete() throws IOException {
    Files.deleteIfExists(file);
  }

  static void fsyncDirectory(Path dir) {
    // Makes a rename or a new file durable; some platforms cannot open a directory, which is fine.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // best effort
    }
  }

  private static long crc(byte[] body) {
    CRC32C crc = new CRC32C();
    crc.update(body);
    return crc.getValue();
  }
}
