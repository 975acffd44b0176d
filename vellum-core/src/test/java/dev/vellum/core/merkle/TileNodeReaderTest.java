package dev.vellum.core.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Proofs over one million leaves stored as tiles cost a bounded number of tile reads. */
class TileNodeReaderTest {

  private static final int SIZE = 1_000_000;
  private static final Map<String, byte[]> TILES = new HashMap<>();
  private static byte[] root;

  private static byte[] leaf(long i) {
    return Rfc6962.leafHash(ByteBuffer.allocate(8).putLong(i).array());
  }

  @BeforeAll
  static void buildMillionLeafTree() {
    TileAppender appender = new TileAppender(0, List.of());
    List<byte[]> batch = new ArrayList<>();
    for (long i = 0; i < SIZE; i++) {
      batch.add(leaf(i));
      if (batch.size() == 10_000) {
        appender.append(batch).forEach(t -> TILES.put(t.level() + "/" + t.index(), t.hashes()));
        batch.clear();
      }
    }
    root = appender.root();
  }

  private static final class CountingTiles implements TileReader {
    int reads;

    @Override
    public byte[] tile(int tileLevel, long tileIndex) {
      reads++;
      return TILES.get(tileLevel + "/" + tileIndex);
    }
  }

  @Test
  void inclusionProofAtOneMillionLeavesReadsFewTiles() {
    int bound = 3 * TileMath.tileLevels(SIZE) * 2;
    Random random = new Random(1_000_000);
    for (int trial = 0; trial < 50; trial++) {
      long index = trial == 0 ? SIZE - 1 : random.nextInt(SIZE);
      CountingTiles tiles = new CountingTiles();
      List<byte[]> proof = MerkleTree.inclusionProof(new TileNodeReader(tiles), index, SIZE);
      assertTrue(
          tiles.reads <= bound, "index " + index + ": " + tiles.reads + " tile reads > " + bound);
      ProofVerifier.verifyInclusion(index, SIZE, leaf(index), proof, root);
    }
  }

  @Test
  void consistencyProofAtOneMillionLeavesReadsFewTiles() {
    int bound = 3 * TileMath.tileLevels(SIZE) * 2;
    Random random = new Random(2_000_000);
    for (int trial = 0; trial < 50; trial++) {
      long size1 = 1 + random.nextInt(SIZE - 1);
      CountingTiles tiles = new CountingTiles();
      List<byte[]> proof = MerkleTree.consistencyProof(new TileNodeReader(tiles), size1, SIZE);
      assertTrue(
          tiles.reads <= bound, "size1 " + size1 + ": " + tiles.reads + " tile reads > " + bound);
      CountingTiles rootTiles = new CountingTiles();
      byte[] root1 = MerkleTree.root(new TileNodeReader(rootTiles), size1);
      assertTrue(rootTiles.reads <= TileMath.tileLevels(SIZE) * 2, "root reads " + rootTiles.reads);
      ProofVerifier.verifyConsistency(size1, SIZE, proof, root1, root);
    }
  }

  @Test
  void rootAtOneMillionLeavesMatchesAppender() {
    CountingTiles tiles = new CountingTiles();
    assertArrayEquals(root, MerkleTree.root(new TileNodeReader(tiles), SIZE));
    assertTrue(tiles.reads <= TileMath.tileLevels(SIZE), "reads " + tiles.reads);
  }

  @Test
  void missingOrTooNarrowTileFailsWithItsCoordinates() {
    IllegalStateException missing =
        assertThrows(
            IllegalStateException.class, () -> new TileNodeReader((l, n) -> null).node(3, 5));
    assertTrue(missing.getMessage().contains("tile 0/0 is not stored"), missing.getMessage());
    IllegalStateException narrow =
        assertThrows(
            IllegalStateException.class,
            () -> new TileNodeReader((l, n) -> new byte[32 * 10]).node(2, 3));
    assertTrue(narrow.getMessage().contains("needs 16 hashes"), narrow.getMessage());
  }
}
