package dev.vellum.core.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TileMathTest {

  @Test
  void locatesStoredAndComputedNodes() {
    assertEquals(new TileMath.NodeLocation(0, 0, 5, 1), TileMath.locate(0, 5));
    assertEquals(new TileMath.NodeLocation(0, 1, 0, 1), TileMath.locate(0, 256));
    assertEquals(new TileMath.NodeLocation(0, 0, 8, 4), TileMath.locate(2, 2));
    assertEquals(new TileMath.NodeLocation(0, 3, 128, 128), TileMath.locate(7, 7));
    assertEquals(new TileMath.NodeLocation(1, 0, 3, 1), TileMath.locate(8, 3));
    assertEquals(new TileMath.NodeLocation(1, 1, 0, 2), TileMath.locate(9, 128));
  }

  @Test
  void widthsAndCountsFollowTreeSize() {
    assertEquals(0, TileMath.tileLevels(0));
    assertEquals(1, TileMath.tileLevels(255));
    assertEquals(2, TileMath.tileLevels(256));
    assertEquals(3, TileMath.tileLevels(1_000_000));
    assertEquals(1_000_000 % 256, TileMath.partialWidth(0, 1_000_000));
    assertEquals((1_000_000 >> 8) % 256, TileMath.partialWidth(1, 1_000_000));
    assertEquals(1_000_000 >> 16, TileMath.partialWidth(2, 1_000_000));
    assertEquals(0, TileMath.partialWidth(1, 65536));
    assertEquals(3907, TileMath.tileCount(0, 1_000_000));
    assertEquals(8, TileMath.tileLevels(Long.MAX_VALUE));
  }

  @Test
  void everyNodeComputedFromItsTileEqualsTheReference() {
    Random random = new Random(7);
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < 70_000; i++) {
      byte[] h = new byte[32];
      random.nextBytes(h);
      leaves.add(h);
    }
    NaiveTree tree = new NaiveTree(leaves);
    List<List<byte[]>> levels = tree.perfectLevels(leaves.size());
    Map<String, byte[]> tiles = tree.tiles(leaves.size());
    for (int level = 0; level < levels.size(); level++) {
      List<byte[]> nodes = levels.get(level);
      for (int k = 0; k < 50 && k < nodes.size(); k++) {
        int index = k < 25 ? k : random.nextInt(nodes.size());
        TileMath.NodeLocation at = TileMath.locate(level, index);
        byte[] tile = tiles.get(at.tileLevel() + "/" + at.tileIndex());
        assertArrayEquals(
            nodes.get(index),
            TileMath.hashWithinTile(tile, at.first(), at.count()),
            level + "/" + index);
      }
    }
  }

  @Test
  void hashWithinTileRejectsTooNarrowTileAndUnalignedRange() {
    byte[] tile = new byte[3 * 32];
    assertThrows(IllegalArgumentException.class, () -> TileMath.hashWithinTile(tile, 0, 4));
    assertThrows(IllegalArgumentException.class, () -> TileMath.hashWithinTile(tile, 1, 2));
    assertThrows(IllegalArgumentException.class, () -> TileMath.hashWithinTile(tile, 0, 3));
    assertThrows(IllegalArgumentException.class, () -> TileMath.locate(-1, 0));
  }
}
