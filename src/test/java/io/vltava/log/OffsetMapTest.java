package io.vltava.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OffsetMapTest {
  private static ByteBuffer key(String k) {
    return ByteBuffer.wrap(k.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void keepsTheLatestOffsetOfEachKey() {
    OffsetMap map = new OffsetMap(1 << 20, 0.9, 1000);
    for (int i = 0; i < 1000; i++) {
      map.put(key("k" + (i % 100)), i);
    }
    assertEquals(100, map.size());
    for (int k = 0; k < 100; k++) {
      assertEquals(900 + k, map.get(key("k" + k)));
    }
    assertEquals(-1, map.get(key("absent")));
    assertEquals(999, map.latestOffset());
  }

  @Test
  void memoryBoundsTheKeysHeld() {
    OffsetMap map = new OffsetMap(OffsetMap.ENTRY_BYTES * 10L, 0.5, 1_000_000);
    assertEquals(5, map.maxEntries());
    for (int i = 0; i < 5; i++) {
      map.put(key("k" + i), i);
    }
    assertFalse(map.hasRoomFor(1));
    map.put(key("k0"), 7); // an update needs no room
    assertEquals(7, map.get(key("k0")));
    assertThrows(IllegalStateException.class, () -> map.put(key("k5"), 8));
    map.clear();
    assertTrue(map.hasRoomFor(5));
    assertEquals(-1, map.get(key("k0")));
  }
}
