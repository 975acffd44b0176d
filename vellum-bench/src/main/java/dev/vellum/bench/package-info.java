/**
 * Load generators ({@code vellum bench ingest|query}) and the raw-storage baseline they compare
 * against. Only {@link dev.vellum.bench.BenchCommand} is public; everything else is reached through
 * it.
 */
@NullMarked
package dev.vellum.bench;

import org.jspecify.annotations.NullMarked;
