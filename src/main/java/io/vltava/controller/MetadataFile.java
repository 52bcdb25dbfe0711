package io.vltava.controller;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vltava.metadata.ClusterState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The controller's state on local disk, written whole to a temporary file and renamed over the
 * old one, so a crash leaves either the old or the new state, never a torn one.
 */
final class MetadataFile {
  // Only record components are state; derived is-getters (PartitionState.isOnline) are not written.
  private static final ObjectMapper JSON = new ObjectMapper()
      .setVisibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE);

  private final Path file;

  MetadataFile(Path dataDir) {
    this.file = dataDir.resolve("cluster-metadata.json");
  }

  ClusterState load() {
    if (!Files.exists(file)) {
      return ClusterState.empty();
    }
    try {
      return JSON.readValue(file.toFile(), ClusterState.class);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read cluster metadata from " + file, e);
    }
  }

  void store(ClusterState state) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      JSON.writeValue(tmp.toFile(), state);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write cluster metadata to " + file, e);
    }
  }
}
