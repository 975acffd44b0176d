package dev.vellum.feed;

import dev.vellum.store.DeadLetter;
import java.util.concurrent.CompletableFuture;

/**
 * How consumer runners make their positions and dead letters durable: through the single writer,
 * which commits them with the next batch. Each future completes once that commit is durable.
 */
public interface FeedWrites {
  CompletableFuture<Void> savePosition(String consumer, long position);

  CompletableFuture<Void> deadLetter(DeadLetter letter);
}
