package io.vltava.group;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * Serializes {@code java.util.List} replies ({@code FetchOffsets} answers a {@code
 * List<CommittedOffset>}, {@code Leave} a {@code List<Errors>}) so they reach an asker on another
 * node: Jackson CBOR of the elements, with the element class as the manifest. Every element must
 * be of one class that Jackson CBOR handles (a CborSerializable record, an enum).
 */
public final class ListReplySerializer extends SerializerWithStringManifest {
  private static final String EMPTY = "";

  private final ObjectMapper mapper;

  public ListReplySerializer(ExtendedActorSystem system) {
    this.mapper = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-cbor", Optional.empty());
  }

  @Override
  public int identifier() {
    return 720_301;
  }

  @Override
  public String manifest(Object list) {
    List<?> elements = (List<?>) list;
    return elements.isEmpty() ? EMPTY : elements.get(0).getClass().getName();
  }

  @Override
  public byte[] toBinary(Object list) {
    try {
      return mapper.writeValueAsBytes(list);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try {
      if (manifest.equals(EMPTY)) {
        return List.of();
      }
      JavaType type = mapper.getTypeFactory().constructCollectionType(List.class, Class.forName(manifest));
      return List.copyOf(mapper.<List<?>>readValue(bytes, type));
    } catch (ClassNotFoundException | IOException e) {
      throw new NotSerializableException("cannot read a List of " + manifest + ": " + e);
    }
  }
}
