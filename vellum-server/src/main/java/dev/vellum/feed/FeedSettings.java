package dev.vellum.feed;

import java.time.Duration;

/**
 * How a consumer runner reads and retries. {@code maxAttempts} bounds the tries of one failing
 * event before it is dead-lettered; backoff doubles from {@code firstBackoff} up to {@code
 * maxBackoff}. {@code maxWaitingEvents} bounds the committed events handed over in memory and not
 * yet taken; beyond it the runner reads them back from the store.
 */
public record FeedSettings(
    int batchSize,
    int maxAttempts,
    Duration firstBackoff,
    Duration maxBackoff,
    int maxWaitingEvents) {

  public static FeedSettings defaults() {
    return new FeedSettings(5_000, 5, Duration.ofMillis(200), Duration.ofSeconds(2), 30_000);
  }

  public FeedSettings {
    if (batchSize < 1
        || maxAttempts < 1
        || maxWaitingEvents < 0
        || firstBackoff.isNegative()
        || maxBackoff.compareTo(firstBackoff) < 0) {
      throw new IllegalArgumentException("invalid feed settings");
    }
  }

  Duration backoff(int failedAttempts) {
    long ms = firstBackoff.toMillis() << Math.min(20, Math.max(0, failedAttempts - 1));
    return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
  }
}
