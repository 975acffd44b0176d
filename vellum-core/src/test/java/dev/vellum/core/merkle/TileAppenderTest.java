package dev.vellum.core.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TileAppenderTest {

  private static byte[] randomHash(Random random) {
    byte[] h = new byte[32];
    random.nextBytes(h);
    return h;
  }

  private static String key(int level, long index) {
    return level + "/" + index;
  }

  @Test
  void tilesRootAndProofsMatchNaiveRebuildAfterRandomBatches() {
    Random random = new Random(20240601);
    List<byte[]> leaves = new ArrayList<>();
    Map<String, byte[]> stored = new HashMap<>();
    TileAppender appender = new TileAppender(0, List.of());
    int[] batchSizes = {0, 1, 1, 254, 1, 2, 300, 5000, 255, 1, 60_000, 3, 257, 65_536, 17};
    for (int batch : batchSizes) {
      List<byte[]> hashes = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        hashes.add(randomHash(random));
      }
      for (Tile t : appender.append(hashes)) {
        stored.put(key(t.level(), t.index()), t.hashes());
      }
      leaves.addAll(hashes);
      int size = leaves.size();
      assertEquals(size, appender.size());

      NaiveTree naive = new NaiveTree(leaves);
      Map<String, byte[]> expected = naive.tiles(size);
      assertEquals(expected.keySet(), stored.keySet(), "tile set at size " + size);
      for (Map.Entry<String, byte[]> e : expected.entrySet()) {
        assertArrayEquals(
            e.getValue(), stored.get(e.getKey()), "tile " + e.getKey() + " at size " + size);
      }
      byte[] root = appender.root();
      if (size <= 10_000) {
        assertArrayEquals(naive.root(size), root, "root at size " + size);
      }
      TileNodeReader reader = new TileNodeReader((l, n) -> stored.get(key(l, n)));
      assertArrayEquals(root, MerkleTree.root(reader, size));
      for (int k = 0; k < 20 && size > 0; k++) {
        int index = random.nextInt(size);
        ProofVerifier.verifyInclusion(
            index,
            size,
            leaves.get(index),
            MerkleTree.inclusionProof(
                new TileNodeReader((l, n) -> stored.get(key(l, n))), index, size),
            root);
        int size1 = 1 + random.nextInt(size);
        byte[] root1 = MerkleTree.root(new TileNodeReader((l, n) -> stored.get(key(l, n))), size1);
        if (size1 <= 10_000) {
          assertArrayEquals(naive.root(size1), root1, "root at size " + size1);
        }
        ProofVerifier.verifyConsistency(
            size1,
            size,
            MerkleTree.consistencyProof(
                new TileNodeReader((l, n) -> stored.get(key(l, n))), size1, size),
            root1,
            root);
      }
    }
  }

  @Test
  void olderRootsFromWiderStoredTilesEqualNaiveRoots() {
    Random random = new Random(99);
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      leaves.add(randomHash(random));
    }
    TileAppender appender = new TileAppender(0, List.of());
    Map<String, byte[]> stored = new HashMap<>();
    appender.append(leaves).forEach(t -> stored.put(key(t.level(), t.index()), t.hashes()));
    NaiveTree naive = new NaiveTree(leaves);
    for (int size = 1; size <= 5000; size += 1 + random.nextInt(97)) {
      assertArrayEquals(
          naive.root(size),
          MerkleTree.root(new TileNodeReader((l, n) -> stored.get(key(l, n))), size),
          "size " + size);
    }
  }

  @Test
  void batchReturnsEachChangedTileOnceWithFullContents() {
    TileAppender appender = new TileAppender(0, List.of());
    Random random = new Random(5);
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      batch.add(randomHash(random));
    }
    List<Tile> changed = appender.append(batch);
    // 600 = 2 full level-0 tiles + partial of 88; level 1 holds 2 hashes.
    assertEquals(
        List.of("tile/0/000", "tile/0/001", "tile/0/002.p/88", "tile/1/000.p/2"),
        changed.stream().map(t -> t.path().toString()).toList());
    List<Tile> next = appender.append(List.of(randomHash(random)));
    assertEquals(List.of("tile/0/002.p/89"), next.stream().map(t -> t.path().toString()).toList());
    assertTrue(appender.append(List.of()).isEmpty());
  }

  @Test
  void resumingFromStoredRightEdgeContinuesTheSameTree() {
    Random random = new Random(11);
    List<byte[]> first = new ArrayList<>();
    List<byte[]> second = new ArrayList<>();
    for (int i = 0; i < 70_000; i++) {
      first.add(randomHash(random));
    }
    for (int i = 0; i < 1234; i++) {
      second.add(randomHash(random));
    }
    TileAppender original = new TileAppender(0, List.of());
    Map<String, byte[]> stored = new HashMap<>();
    original.append(first).forEach(t -> stored.put(key(t.level(), t.index()), t.hashes()));

    int[] reads = {0};
    TileAppender resumed =
        TileAppender.load(
            70_000,
            (l, n) -> {
              reads[0]++;
              return stored.get(key(l, n));
            });
    assertTrue(reads[0] <= 3, "reads " + reads[0]);
    assertArrayEquals(original.root(), resumed.root());
    assertEquals(original.append(second), resumed.append(second));
    assertArrayEquals(original.root(), resumed.root());
  }

  @Test
  void constructorRejectsRightEdgeOfWrongWidth() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TileAppender(300, List.of(new byte[43 * 32])));
    assertTrue(e.getMessage().contains("must hold 44 hashes"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new TileAppender(300, List.of(new byte[44 * 32]))); // level 1 needs 1 hash
    new TileAppender(300, List.of(new byte[44 * 32], new byte[32]));
    assertThrows(
        IllegalArgumentException.class, () -> new TileAppender(256, List.of(new byte[32])));
    new TileAppender(256, java.util.Arrays.asList(null, new byte[32]));
  }

  @Test
  void appendRejectsWrongLengthHashAndStaysUnchanged() {
    TileAppender appender = new TileAppender(0, List.of());
    appender.append(List.of(new byte[32]));
    byte[] root = appender.root();
    assertThrows(
        IllegalArgumentException.class, () -> appender.append(List.of(new byte[32], new byte[31])));
    assertEquals(1, appender.size());
    assertArrayEquals(root, appender.root());
  }

  @Test
  void loadFailsClearlyWhenATileIsMissing() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> TileAppender.load(300, (l, n) -> null));
    assertTrue(e.getMessage().contains("tile/0/001.p/44"), e.getMessage());
  }
}
