package dev.vellum.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.vellum.store.DirectoryStore;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Usage plans, as API Gateway's in the reference design: per API key a token bucket ({@code
 * requests_per_second} refilling up to {@code burst}) and an optional quota of requests per UTC day
 * or per UTC calendar month. A key's own plan (stored in the directory) overrides the configured
 * default.
 *
 * <p>State is in memory, one entry per active key in a bounded cache: a restart, or eviction of a
 * key idle while more than {@link #MAX_KEYS} others were active, starts its bucket and quota
 * afresh. Changing a key's plan starts it afresh too.
 */
public final class RateLimiter {
  static final int MAX_KEYS = 100_000;

  /** The plan applied to one key. {@code quota} 0 means no quota. */
  public record Plan(long requestsPerSecond, long burst, long quota, String quotaPeriod) {}

  /**
   * The outcome of one request: allowed or not, the seconds to wait when not, and what is left.
   * {@code quotaRemaining} is -1 when the key has no quota.
   */
  public record Decision(
      boolean allowed,
      boolean quotaExceeded,
      long retryAfterSeconds,
      Plan plan,
      long rateRemaining,
      long quotaRemaining) {}

  private final Plan defaults;
  private final Function<String, Optional<Plan>> ownPlan;
  private final Cache<String, State> states = Caffeine.newBuilder().maximumSize(MAX_KEYS).build();

  private record State(Plan plan, Bucket rate, @Nullable Bucket quota) {}

  /** Every key gets {@code defaults}; no per-key plans (for tools and tests). */
  public RateLimiter(long requestsPerSecond, long burst) {
    this(new Plan(requestsPerSecond, burst, 0, "day"), keyId -> Optional.empty());
  }

  public RateLimiter(Plan defaults, Function<String, Optional<Plan>> ownPlan) {
    this.defaults = defaults;
    this.ownPlan = ownPlan;
  }

  /** Plans as stored in the directory, with {@code defaults} for keys without one. */
  public static RateLimiter of(Plan defaults, DirectoryStore directory) {
    return new RateLimiter(
        defaults,
        keyId ->
            directory
                .usagePlan(keyId)
                .map(
                    p ->
                        new Plan(
                            p.requestsPerSecond(),
                            p.burst(),
                            p.quota() == null ? 0 : p.quota(),
                            p.quotaPeriod() == null ? "day" : p.quotaPeriod())));
  }

  /** Forgets the key's counters so that its (new) plan applies from the next request. */
  public void planChanged(String keyId) {
    states.invalidate(keyId);
  }

  /**
   * After plan changes may have been missed: starts afresh only the keys whose stored plan is no
   * longer the one they run under (dropping every counter would reset quotas on each reconnect).
   */
  public void recheckPlans() {
    states.asMap().keySet().forEach(this::recheckPlan);
  }

  /**
   * Starts the key afresh if its stored plan is not the one it runs under: a plan changed on
   * another node (this node's own changes went through {@link #planChanged} already).
   */
  public void recheckPlan(String keyId) {
    State s = states.getIfPresent(keyId);
    if (s != null && !ownPlan.apply(keyId).orElse(defaults).equals(s.plan())) {
      states.invalidate(keyId);
    }
  }

  /** Takes one request from the key's bucket and quota. */
  public Decision tryAcquire(String keyId) {
    State s = states.get(keyId, this::newState);
    Plan plan = s.plan();
    ConsumptionProbe rate = s.rate().tryConsumeAndReturnRemaining(1);
    if (!rate.isConsumed()) {
      return new Decision(
          false,
          false,
          seconds(rate.getNanosToWaitForRefill()),
          plan,
          0,
          s.quota() == null ? -1 : s.quota().getAvailableTokens());
    }
    if (s.quota() == null) {
      return new Decision(true, false, 0, plan, rate.getRemainingTokens(), -1);
    }
    ConsumptionProbe quota = s.quota().tryConsumeAndReturnRemaining(1);
    if (!quota.isConsumed()) {
      s.rate().addTokens(1); // a refused request does not count against the rate either
      return new Decision(
          false,
          true,
          seconds(quota.getNanosToWaitForRefill()),
          plan,
          rate.getRemainingTokens() + 1,
          0);
    }
    return new Decision(
        true, false, 0, plan, rate.getRemainingTokens(), quota.getRemainingTokens());
  }

  private State newState(String keyId) {
    Plan plan = ownPlan.apply(keyId).orElse(defaults);
    Bucket rate =
        Bucket.builder()
            .addLimit(
                Bandwidth.builder()
                    .capacity(plan.burst())
                    .refillGreedy(plan.requestsPerSecond(), Duration.ofSeconds(1))
                    .build())
            .build();
    if (plan.quota() <= 0) {
      return new State(plan, rate, null);
    }
    // the quota refills in full at the start of each UTC day or month, as API Gateway's does
    Instant now = Instant.now();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    LocalDate start = "month".equals(plan.quotaPeriod()) ? today.withDayOfMonth(1) : today;
    LocalDate next = "month".equals(plan.quotaPeriod()) ? start.plusMonths(1) : start.plusDays(1);
    Instant nextStart = next.atStartOfDay(ZoneOffset.UTC).toInstant();
    Duration period = Duration.between(start.atStartOfDay(ZoneOffset.UTC).toInstant(), nextStart);
    Bucket quota =
        Bucket.builder()
            .addLimit(
                Bandwidth.builder()
                    .capacity(plan.quota())
                    .refillIntervallyAligned(plan.quota(), period, nextStart)
                    .build())
            .build();
    return new State(plan, rate, quota);
  }

  private static long seconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }
}
