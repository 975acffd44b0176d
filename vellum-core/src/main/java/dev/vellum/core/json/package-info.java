/**
 * Canonical JSON (RFC 8785 JCS): the byte form of an event that its Merkle leaf commits to.
 * Parameters and return values are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.vellum.core.json;

import org.jspecify.annotations.NullMarked;
