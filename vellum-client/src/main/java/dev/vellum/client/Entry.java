package dev.vellum.client;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One event on its way: its id, its final JSON bytes (identical on every attempt, so the server
 * recognises a retry as a duplicate), the caller's future, and where it sits in the spool.
 */
final class Entry {
  final String id;
  final byte[] json;

  /** Null for events replayed from an earlier run's spool: nobody waits for them. */
  final @Nullable CompletableFuture<Receipt> future;

  /** Null in memory mode. */
  final Spool.@Nullable Segment segment;

  Entry(
      String id,
      byte[] json,
      @Nullable CompletableFuture<Receipt> future,
      Spool.@Nullable Segment segment) {
    this.id = id;
    this.json = json;
    this.future = future;
    this.segment = segment;
  }
}
