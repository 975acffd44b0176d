package dev.vellum.core.merkle;

/**
 * Arithmetic of the C2SP tlog-tiles layout with tile height 8.
 *
 * <p>Tile level L stores the hashes of tree level 8·L: the tile with index N holds the nodes N·256
 * … N·256+W−1 of that level, 32 bytes each, concatenated. Nodes of tree levels 8·L+1 … 8·L+7 are
 * not stored; each is the root of a perfect subtree of 2, 4, … 128 consecutive hashes of one tile
 * at level L, and is recomputed from them. The root of a full tile (tree level 8·L+8) is stored as
 * the first level of tile level L+1.
 */
public final class TileMath {

  /** Tree levels per tile. */
  public static final int HEIGHT = 8;

  /** Hashes in a full tile (2^HEIGHT). */
  public static final int WIDTH = 1 << HEIGHT;

  private TileMath() {}

  /**
   * Where tree node ({@code level}, {@code index}) is found: it is the root of the {@code count}
   * hashes starting at position {@code first} of tile ({@code tileLevel}, {@code tileIndex}); the
   * tile must be at least {@code first + count} hashes wide. {@code count} is 1 for stored nodes.
   */
  public record NodeLocation(int tileLevel, long tileIndex, int first, int count) {
    /** The smallest width of the tile that contains all hashes the node needs. */
    public int minWidth() {
      return first + count;
    }
  }

  /**
   * Locates tree node ({@code level}, {@code index}) in the tiles.
   *
   * @throws IllegalArgumentException if level or index is negative or out of range
   */
  public static NodeLocation locate(int level, long index) {
    if (level < 0 || level >= 64 || index < 0) {
      throw new IllegalArgumentException("no tree node at level " + level + ", index " + index);
    }
    int tileLevel = level / HEIGHT;
    int height = level % HEIGHT;
    if (index > (Long.MAX_VALUE >>> height)) {
      throw new IllegalArgumentException(
          "tree node index " + index + " out of range at level " + level);
    }
    long firstAtBase = index << height; // index at tree level 8·tileLevel of its leftmost hash
    return new NodeLocation(
        tileLevel, firstAtBase >>> HEIGHT, (int) (firstAtBase & (WIDTH - 1)), 1 << height);
  }

  /**
   * Width of the right-edge tile at {@code tileLevel} in a tree of {@code treeSize} leaves, or 0 if
   * that level's last tile is full or the level has no hashes.
   */
  public static int partialWidth(int tileLevel, long treeSize) {
    return (int) (nodesAtTileLevel(tileLevel, treeSize) & (WIDTH - 1));
  }

  /**
   * Number of tiles (full or partial) at {@code tileLevel} in a tree of {@code treeSize} leaves.
   */
  public static long tileCount(int tileLevel, long treeSize) {
    long nodes = nodesAtTileLevel(tileLevel, treeSize);
    return (nodes + WIDTH - 1) >>> HEIGHT;
  }

  /** Number of tile levels holding at least one hash in a tree of {@code treeSize} leaves. */
  public static int tileLevels(long treeSize) {
    int levels = 0;
    while (nodesAtTileLevel(levels, treeSize) > 0) {
      levels++;
    }
    return levels;
  }

  /** Hashes of tree level 8·tileLevel: complete subtrees of 2^(8·tileLevel) leaves. */
  static long nodesAtTileLevel(int tileLevel, long treeSize) {
    if (treeSize < 0 || tileLevel < 0) {
      throw new IllegalArgumentException("tree size " + treeSize + ", tile level " + tileLevel);
    }
    int shift = tileLevel * HEIGHT;
    return shift >= 64 ? 0 : treeSize >>> shift;
  }

  /**
   * Returns the root of the perfect subtree over hashes {@code first … first+count−1} of {@code
   * tile} ({@code count} a power of two ≤ 256); for {@code count == 1}, that hash.
   *
   * @throws IllegalArgumentException if the tile is too narrow or the range is not a subtree
   */
  public static byte[] hashWithinTile(byte[] tile, int first, int count) {
    int h = Rfc6962.HASH_SIZE;
    if (count < 1
        || count > WIDTH
        || Integer.bitCount(count) != 1
        || first < 0
        || first % count != 0) {
      throw new IllegalArgumentException(
          "hashes " + first + ".." + (first + count - 1) + " do not form a perfect subtree");
    }
    if (tile.length % h != 0 || tile.length / h < first + count) {
      throw new IllegalArgumentException(
          "tile of "
              + tile.length
              + " bytes ("
              + tile.length / h
              + " hashes) is too narrow for "
              + "hashes "
              + first
              + ".."
              + (first + count - 1));
    }
    byte[] work = new byte[count * h];
    System.arraycopy(tile, first * h, work, 0, count * h);
    for (int n = count; n > 1; n >>= 1) {
      for (int i = 0; i < n / 2; i++) {
        Rfc6962.nodeHashInto(work, 2 * i * h, (2 * i + 1) * h, work, i * h);
      }
    }
    return count * h == h ? work : java.util.Arrays.copyOf(work, h);
  }
}
