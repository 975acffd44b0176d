package dev.vellum.core.merkle;

import java.util.Arrays;
import java.util.Objects;

/**
 * One hash tile's contents: {@code hashes} is W concatenated 32-byte hashes of tree level 8·{@code
 * level}, nodes {@code index·256 … index·256+W−1}. Equality compares the contents.
 */
public record Tile(int level, long index, byte[] hashes) {

  /**
   * @throws IllegalArgumentException unless {@code hashes} holds 1 to 256 whole hashes
   */
  public Tile {
    Objects.requireNonNull(hashes, "hashes");
    if (hashes.length == 0
        || hashes.length % Rfc6962.HASH_SIZE != 0
        || hashes.length / Rfc6962.HASH_SIZE > TileMath.WIDTH) {
      throw new IllegalArgumentException(
          "a tile holds 1 to 256 hashes of 32 bytes, got " + hashes.length + " bytes");
    }
  }

  /** Number of hashes, 1 … 256. */
  public int width() {
    return hashes.length / Rfc6962.HASH_SIZE;
  }

  /** The tile's C2SP path. */
  public TilePath path() {
    return new TilePath(level, index, width());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tile t
        && t.level == level
        && t.index == index
        && Arrays.equals(t.hashes, hashes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(level, index) * 31 + Arrays.hashCode(hashes);
  }

  @Override
  public String toString() {
    return "Tile[" + path() + "]";
  }
}
