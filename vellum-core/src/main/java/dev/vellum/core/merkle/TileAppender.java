package dev.vellum.core.merkle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Appends leaf hashes to a tree stored as C2SP tlog-tiles, in memory.
 *
 * <p>It holds only the right edge of the tree: for each tile level the partial tile that is still
 * growing. {@link #append} returns every tile whose contents changed — full tiles completed by the
 * batch and the new right-edge partial tiles — so that the caller can write them in the same
 * transaction as the entries. A caller MUST persist all returned tiles or none, and MUST NOT reuse
 * an appender after a failed write (reload it from storage). Each append costs O(batch + log n)
 * hashes. Not thread-safe: one appender per log, owned by its single writer.
 */
public final class TileAppender {

  /*
   * State per tile level L: the hashes of tree level 8·L at indexes tileIndex·256 … +width−1.
   * Appending a hash at level L that fills a tile emits the full tile, hashes its 256 entries into
   * their subtree root (tree level 8·L+8) and appends that root at level L+1 — tlog-tiles'
   * "a full tile's root is one hash of the tile above". Tiles stay in the buffer until the batch
   * ends, then every level touched by the batch emits its partial tile once.
   * The root of the whole tree is the RFC 6962 fold of the perfect subtrees given by the binary
   * digits of the size; those at tree levels 8·L … 8·L+7 lie inside the partial tile of level L,
   * so the right edge alone determines the root (MerkleTree.root over a reader of the edge).
   */

  private static final int H = Rfc6962.HASH_SIZE;

  private long size;
  private final List<Level> levels = new ArrayList<>();
  private byte @Nullable [] root;

  private static final class Level {
    final byte[] hashes = new byte[TileMath.WIDTH * H];
    int width;
    long tileIndex;
    boolean dirty;
  }

  /**
   * Resumes a tree of {@code size} leaves from its right-edge partial tiles: {@code
   * partialTiles.get(L)} MUST hold exactly {@link TileMath#partialWidth(int, long) partialWidth(L,
   * size)} hashes (an empty array or a missing trailing entry for width 0).
   *
   * @throws IllegalArgumentException if a tile's width does not fit {@code size}
   */
  public TileAppender(long size, List<byte[]> partialTiles) {
    if (size < 0) {
      throw new IllegalArgumentException("tree size must not be negative: " + size);
    }
    this.size = size;
    int tileLevels = TileMath.tileLevels(size);
    for (int l = 0; l < Math.max(tileLevels, partialTiles.size()); l++) {
      byte[] tile = l < partialTiles.size() ? partialTiles.get(l) : null;
      int have = tile == null ? 0 : tile.length;
      int want = TileMath.partialWidth(l, size);
      if (have != want * H) {
        throw new IllegalArgumentException(
            "right-edge tile at level "
                + l
                + " for tree size "
                + size
                + " must hold "
                + want
                + " hashes ("
                + want * H
                + " bytes), got "
                + have
                + " bytes");
      }
      Level level = level(l);
      level.tileIndex = TileMath.nodesAtTileLevel(l, size) >>> TileMath.HEIGHT;
      level.width = want;
      if (want > 0) {
        System.arraycopy(tile, 0, level.hashes, 0, have);
      }
    }
  }

  /**
   * Resumes a tree of {@code size} leaves, reading its right-edge partial tiles (at most one per
   * tile level) through {@code tiles}.
   *
   * @throws IllegalStateException if a needed tile is missing or shorter than {@code size} implies
   */
  public static TileAppender load(long size, TileReader tiles) {
    List<byte[]> edge = new ArrayList<>();
    for (int l = 0; l < TileMath.tileLevels(size); l++) {
      int width = TileMath.partialWidth(l, size);
      if (width == 0) {
        edge.add(null);
        continue;
      }
      long index = TileMath.nodesAtTileLevel(l, size) >>> TileMath.HEIGHT;
      byte[] tile = tiles.tile(l, index);
      if (tile == null || tile.length < width * H) {
        throw new IllegalStateException(
            "tree size "
                + size
                + " needs tile "
                + new TilePath(l, index, width)
                + " with "
                + width
                + " hashes, stored: "
                + (tile == null ? "none" : tile.length / H));
      }
      edge.add(Arrays.copyOf(tile, width * H));
    }
    return new TileAppender(size, edge);
  }

  /**
   * Appends {@code leafHashes} (each 32 bytes) in order and returns the tiles they changed, with
   * their complete new contents, ordered by level then index. Returns an empty list for an empty
   * batch.
   *
   * @throws IllegalArgumentException if a hash is not 32 bytes; the appender is then unchanged
   */
  public List<Tile> append(List<byte[]> leafHashes) {
    for (int i = 0; i < leafHashes.size(); i++) {
      byte[] leaf = leafHashes.get(i);
      if (leaf == null || leaf.length != H) {
        throw new IllegalArgumentException(
            "leaf hash "
                + i
                + " of the batch has "
                + (leaf == null ? "no" : leaf.length)
                + " bytes, expected "
                + H);
      }
    }
    List<Tile> changed = new ArrayList<>();
    for (byte[] leaf : leafHashes) {
      push(0, leaf, 0, changed);
    }
    for (int l = 0; l < levels.size(); l++) {
      Level level = levels.get(l);
      if (level.dirty && level.width > 0) {
        changed.add(new Tile(l, level.tileIndex, Arrays.copyOf(level.hashes, level.width * H)));
      }
      level.dirty = false;
    }
    size += leafHashes.size();
    if (!leafHashes.isEmpty()) {
      root = null;
    }
    changed.sort(Comparator.comparingInt(Tile::level).thenComparingLong(Tile::index));
    return changed;
  }

  private void push(int l, byte[] src, int srcOffset, List<Tile> changed) {
    Level level = level(l);
    System.arraycopy(src, srcOffset, level.hashes, level.width * H, H);
    level.width++;
    level.dirty = true;
    if (level.width == TileMath.WIDTH) {
      changed.add(new Tile(l, level.tileIndex, level.hashes.clone()));
      byte[] tileRoot = TileMath.hashWithinTile(level.hashes, 0, TileMath.WIDTH);
      level.width = 0;
      level.tileIndex++;
      level.dirty = false;
      push(l + 1, tileRoot, 0, changed);
    }
  }

  private Level level(int l) {
    while (levels.size() <= l) {
      levels.add(new Level());
    }
    return levels.get(l);
  }

  /** Number of leaves in the tree. */
  public long size() {
    return size;
  }

  /** The RFC 6962 root hash of the tree (the empty-tree hash for size 0). */
  public byte[] root() {
    if (root == null) {
      root = MerkleTree.root(this::edgeNode, size);
    }
    return root.clone();
  }

  /** Nodes of the right edge only: those inside the partial tiles. */
  private byte[] edgeNode(int level, long index) {
    TileMath.NodeLocation at = TileMath.locate(level, index);
    Level l = at.tileLevel() < levels.size() ? levels.get(at.tileLevel()) : null;
    if (l == null || l.tileIndex != at.tileIndex() || l.width < at.minWidth()) {
      throw new IllegalStateException(
          "node (level "
              + level
              + ", index "
              + index
              + ") is not on the right edge of size "
              + size);
    }
    return TileMath.hashWithinTile(l.hashes, at.first(), at.count());
  }
}
