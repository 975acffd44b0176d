package dev.vellum.auth;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One token bucket per API key: {@code rate} requests per second, bursts up to {@code burst}. */
public final class RateLimiter {
  private final long rate;
  private final long burst;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(long requestsPerSecond, long burst) {
    this.rate = requestsPerSecond;
    this.burst = burst;
  }

  /** Zero when the request may proceed, else the seconds to wait before retrying (at least 1). */
  public long tryAcquire(String keyId) {
    Bucket bucket = buckets.computeIfAbsent(keyId, k -> Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(rate, Duration.ofSeconds(1))
            .build())
        .build());
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      return 0;
    }
    return Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
  }
}
