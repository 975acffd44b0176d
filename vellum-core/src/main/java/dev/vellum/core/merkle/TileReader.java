package dev.vellum.core.merkle;

import org.jspecify.annotations.Nullable;

/**
 * Reads one stored C2SP tlog-tiles hash tile.
 *
 * <p>{@code tile(tileLevel, tileIndex)} MUST return the concatenated 32-byte hashes stored for that
 * tile — full (256 hashes) or partial, whatever width is stored — or {@code null} if no such tile
 * is stored.
 */
@FunctionalInterface
public interface TileReader {
  byte @Nullable [] tile(int tileLevel, long tileIndex);
}
