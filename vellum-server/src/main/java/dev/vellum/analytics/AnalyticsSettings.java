package dev.vellum.analytics;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The limits of analytics queries. Every one is an upper bound a request may lower ({@code
 * timeout_ms}, {@code max_rows}) but never raise.
 *
 * @param timeout how long a statement may run before it is cancelled
 * @param memoryLimitMb DuckDB's {@code memory_limit} per query; nothing spills to disk
 * @param threads DuckDB's {@code threads} per query
 * @param maxRows rows returned at most; more are cut off and the answer says so
 * @param maxResultBytes approximate size of the returned cells at most, likewise cut off
 * @param maxHotEvents hot (not yet archived) events loaded per query at most
 * @param maxSqlChars the longest SQL text accepted
 * @param maxConcurrent queries running at once on this node
 * @param maxConcurrentPerTenant queries of one tenant running at once
 * @param maxSavedQueries saved queries per tenant
 * @param cacheBytes the local mirror of archive files for stores that are not a local directory
 */
public record AnalyticsSettings(
    Duration timeout,
    int memoryLimitMb,
    int threads,
    int maxRows,
    long maxResultBytes,
    int maxHotEvents,
    int maxSqlChars,
    int maxConcurrent,
    int maxConcurrentPerTenant,
    int maxSavedQueries,
    long cacheBytes) {

  public AnalyticsSettings {
    require(!timeout.isNegative() && !timeout.isZero(), "timeout", timeout);
    require(memoryLimitMb >= 16, "memory_limit_mb", memoryLimitMb);
    require(threads >= 1 && threads <= 64, "threads", threads);
    require(maxRows >= 1, "max_rows", maxRows);
    require(maxResultBytes >= 1024, "max_result_bytes", maxResultBytes);
    require(maxHotEvents >= 0, "max_hot_events", maxHotEvents);
    require(maxSqlChars >= 64, "max_sql_chars", maxSqlChars);
    require(maxConcurrent >= 1, "max_concurrent", maxConcurrent);
    require(maxConcurrentPerTenant >= 1, "max_concurrent_per_tenant", maxConcurrentPerTenant);
    require(maxSavedQueries >= 1, "max_saved_queries", maxSavedQueries);
    require(cacheBytes >= 1 << 20, "cache_bytes", cacheBytes);
  }

  public static AnalyticsSettings defaults() {
    return new AnalyticsSettings(
        Duration.ofSeconds(30), 512, 2, 10_000, 8L << 20, 100_000, 16_384, 2, 1, 100, 2L << 30);
  }

  /**
   * The defaults with {@code VELLUM_ANALYTICS_*} environment overrides ({@code
   * VELLUM_ANALYTICS_TIMEOUT_MS}, {@code …_MEMORY_LIMIT_MB}, {@code …_THREADS}, {@code …_MAX_ROWS},
   * {@code …_MAX_RESULT_BYTES}, {@code …_MAX_HOT_EVENTS}, {@code …_MAX_CONCURRENT}, {@code
   * …_MAX_CONCURRENT_PER_TENANT}, {@code …_CACHE_BYTES}); a bad value fails the start.
   */
  public static AnalyticsSettings fromEnvironment(Map<String, String> env) {
    AnalyticsSettings d = defaults();
    return new AnalyticsSettings(
        Duration.ofMillis(number(env, "timeout_ms", d.timeout.toMillis())),
        (int) number(env, "memory_limit_mb", d.memoryLimitMb),
        (int) number(env, "threads", d.threads),
        (int) number(env, "max_rows", d.maxRows),
        number(env, "max_result_bytes", d.maxResultBytes),
        (int) number(env, "max_hot_events", d.maxHotEvents),
        d.maxSqlChars,
        (int) number(env, "max_concurrent", d.maxConcurrent),
        (int) number(env, "max_concurrent_per_tenant", d.maxConcurrentPerTenant),
        d.maxSavedQueries,
        number(env, "cache_bytes", d.cacheBytes));
  }

  private static long number(Map<String, String> env, String name, long fallback) {
    String var = "VELLUM_ANALYTICS_" + name.toUpperCase(Locale.ROOT);
    String v = env.get(var);
    if (v == null) {
      return fallback;
    }
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("setting " + var + " = " + v + ": must be a number", e);
    }
  }

  private static void require(boolean ok, String name, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(
          "setting analytics." + name + " = " + value + " is out of range");
    }
  }
}
