package dev.vellum.core.merkle;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link NodeReader} over stored hash tiles. It keeps the tiles it has read in a small LRU cache,
 * so one proof costs O(log n) tile reads: a proof's nodes at tree levels 8·L … 8·L+7 come from at
 * most a few tiles of tile level L. Create one per request; not thread-safe.
 */
public final class TileNodeReader implements NodeReader {

  private static final int CACHE_TILES = 64;

  private final TileReader tiles;
  private final Map<Long, byte[]> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
          return size() > CACHE_TILES;
        }
      };

  /** Reads tiles through {@code tiles}. */
  public TileNodeReader(TileReader tiles) {
    this.tiles = tiles;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if the tile holding the node is missing or too narrow
   */
  @Override
  public byte[] node(int level, long index) {
    TileMath.NodeLocation at = TileMath.locate(level, index);
    byte[] tile = tile(at.tileLevel(), at.tileIndex());
    int stored = tile.length / Rfc6962.HASH_SIZE;
    if (tile.length % Rfc6962.HASH_SIZE != 0 || stored < at.minWidth()) {
      throw new IllegalStateException(
          "tile "
              + at.tileLevel()
              + "/"
              + at.tileIndex()
              + " has "
              + tile.length
              + " bytes ("
              + stored
              + " hashes) but node (level "
              + level
              + ", index "
              + index
              + ") needs "
              + at.minWidth()
              + " hashes");
    }
    return TileMath.hashWithinTile(tile, at.first(), at.count());
  }

  private byte[] tile(int tileLevel, long tileIndex) {
    // Tile indexes stay below 2^56 (2^64 leaves / 256), leaving the top byte for the level.
    Long key = ((long) tileLevel << 56) | tileIndex;
    byte[] tile = cache.get(key);
    if (tile == null) {
      tile = tiles.tile(tileLevel, tileIndex);
      if (tile == null) {
        throw new IllegalStateException("tile " + tileLevel + "/" + tileIndex + " is not stored");
      }
      cache.put(key, tile);
    }
    return tile;
  }
}
