/**
 * The search port on Apache Lucene: one document per event keyed by (tenant, seq), an index sorted
 * newest first, near-real-time refreshes and periodic commits that carry the feed position.
 */
@NullMarked
package dev.vellum.search.lucene;

import org.jspecify.annotations.NullMarked;
