/**
 * Merkle log maths of RFC 6962 / RFC 9162 (SHA-256), proofs that need O(log n) node reads, and the
 * C2SP tlog-tiles storage layout. Pure functions and in-memory state only: storage is reached
 * through the {@link dev.vellum.core.merkle.NodeReader} and {@link
 * dev.vellum.core.merkle.TileReader} functions the caller supplies. Parameters and return values
 * are non-null unless marked {@code @Nullable}; byte arrays passed in are not retained unless
 * stated, and arrays returned are fresh.
 */
@NullMarked
package dev.vellum.core.merkle;

import org.jspecify.annotations.NullMarked;
