package dev.vellum.notify;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Exponential backoff with full jitter (the AWS Architecture Blog's "Exponential Backoff And
 * Jitter"): the n-th wait is uniform in [0, min(max, first·2^(n-1))], which spreads the retries of
 * many deliveries that failed together (a receiver that was down) instead of having them return in
 * waves. A {@code Retry-After} from the receiver is a floor: never retry earlier than it asked.
 */
record Backoff(Duration first, Duration max) {
  Duration next(int failedAttempts, @Nullable Duration retryAfter) {
    long ceiling = max.toMillis();
    int shift = Math.min(40, Math.max(0, failedAttempts - 1));
    long cap = first.toMillis() > (ceiling >> shift) ? ceiling : first.toMillis() << shift;
    long wait = ThreadLocalRandom.current().nextLong(Math.min(cap, ceiling) + 1);
    if (retryAfter != null && retryAfter.toMillis() > wait) {
      wait = retryAfter.toMillis();
    }
    return Duration.ofMillis(wait);
  }

  /** The largest wait before attempt n+1, without a Retry-After: for the docs and tests. */
  Duration ceiling(int failedAttempts) {
    int shift = Math.min(40, Math.max(0, failedAttempts - 1));
    long ceiling = max.toMillis();
    return Duration.ofMillis(
        first.toMillis() > (ceiling >> shift) ? ceiling : first.toMillis() << shift);
  }
}
