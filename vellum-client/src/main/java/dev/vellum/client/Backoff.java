package dev.vellum.client;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Delays between attempts: exponential backoff with full jitter (a uniformly random delay from 0 to
 * {@code min(cap, base · 2^(attempt-1))}, as in "Exponential Backoff And Jitter", AWS Architecture
 * Blog, 2015), so that many clients retrying after one outage spread out instead of returning
 * together. When the server sends {@code Retry-After}, the delay is never shorter than that: the
 * server's value plus a jitter of up to {@code base}.
 */
final class Backoff {
  private final long baseNanos;
  private final long capNanos;
  private final RandomGenerator random;

  Backoff(Duration base, Duration cap, RandomGenerator random) {
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException(
          "retry base must be positive and at most the cap: base " + base + ", cap " + cap);
    }
    this.baseNanos = base.toNanos();
    this.capNanos = cap.toNanos();
    this.random = random;
  }

  /**
   * The delay before attempt {@code attempt + 1}, after {@code attempt} failed ones (1 or more).
   *
   * @param retryAfter the server's {@code Retry-After}, or null
   */
  Duration delay(int attempt, @Nullable Duration retryAfter) {
    if (retryAfter != null) {
      return retryAfter.plusNanos(random.nextLong(baseNanos + 1));
    }
    int shift = Math.min(Math.max(attempt - 1, 0), 62);
    long ceiling = baseNanos > (capNanos >> shift) ? capNanos : baseNanos << shift;
    return Duration.ofNanos(random.nextLong(Math.min(ceiling, capNanos) + 1));
  }
}
