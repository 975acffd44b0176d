package dev.vellum.feed;

import java.time.Duration;

/**
 * How a consumer runner reads and retries. {@code maxAttempts} bounds the tries of one failing
 * event before it is dead-lettered; backoff doubles from {@code firstBackoff} up to {@code
 * maxBackoff}. {@code maxWaitingBytes} bounds the committed events handed over in memory and not
 * yet taken, by their bodies' size plus a fixed overhead per event (what they hold on the heap,
 * roughly); beyond it the runner reads them back from the store. Bytes, not events: every consumer
 * has its own hand-offs, and a consumer that falls behind holds different events from the others.
 */
public record FeedSettings(
    int batchSize,
    int maxAttempts,
    Duration firstBackoff,
    Duration maxBackoff,
    long maxWaitingBytes) {

  /** What one waiting event costs besides its body: the record, its strings and leaf hash. */
  static final int EVENT_OVERHEAD_BYTES = 320;

  public static FeedSettings defaults() {
    return new FeedSettings(5_000, 5, Duration.ofMillis(200), Duration.ofSeconds(2), 16L << 20);
  }

  public FeedSettings {
    if (batchSize < 1
        || maxAttempts < 1
        || maxWaitingBytes < 0
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
