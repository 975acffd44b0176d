package dev.vellum.query;

import dev.vellum.search.StatsQuery;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The validated query of {@code GET /v1/events/stats}: times in microseconds, {@code from} rounded
 * down to a multiple of the interval, {@code to} exclusive.
 *
 * <p>Every input is bounded before any arithmetic: times by {@link QueryTimes} (years 0001–9999),
 * the interval to at most {@value #MAX_INTERVAL_DAYS} days. With those bounds {@code to - from} and
 * the bucket count fit easily in a {@code long}; an unbounded range once overflowed, passed the
 * bucket check and kept a request thread looping.
 */
public record StatsParameters(
    long from, long to, long interval, String intervalText, String groupBy) {
  public static final long MAX_INTERVAL_DAYS = 366;
  static final long DAY_MICROS = 86_400_000_000L;
  private static final Set<String> KNOWN = Set.of("from", "to", "interval", "group_by");
  private static final Set<String> GROUPS =
      Arrays.stream(StatsQuery.Group.values())
          .map(StatsQuery.Group::wireName)
          .collect(Collectors.toUnmodifiableSet());
  private static final Pattern INTERVAL = Pattern.compile("([1-9][0-9]{0,8})([smhd])");

  /** Parses {@code params}; {@code nowMicros} is the default {@code to}. */
  public static StatsParameters parse(Map<String, List<String>> params, long nowMicros) {
    for (Map.Entry<String, List<String>> p : params.entrySet()) {
      if (!KNOWN.contains(p.getKey())) {
        throw new FilterParser.BadParameter(
            p.getKey(), "unknown parameter; known: from, group_by, interval, to");
      }
      if (p.getValue().size() > 1) {
        throw new FilterParser.BadParameter(p.getKey(), "may be given only once");
      }
    }
    String intervalText = Objects.requireNonNull(one(params, "interval", "1h"), "has a default");
    long interval = interval(intervalText);
    String groupBy = Objects.requireNonNull(one(params, "group_by", "type"), "has a default");
    if (!GROUPS.contains(groupBy)) {
      throw new FilterParser.BadParameter(
          "group_by", "must be one of category, outcome, severity, source, type");
    }
    String toText = one(params, "to", null);
    long to =
        toText == null
            ? Math.min(nowMicros, QueryTimes.MAX_MICROS)
            : QueryTimes.parse("to", toText);
    String fromText = one(params, "from", null);
    long from =
        fromText == null
            ? Math.max(to - DAY_MICROS, QueryTimes.MIN_MICROS)
            : QueryTimes.parse("from", fromText);
    if (from >= to) {
      throw new FilterParser.BadParameter("from", "must be before to");
    }
    from = Math.floorDiv(from, interval) * interval;
    long buckets = Math.floorDiv(Math.subtractExact(to, from) + interval - 1, interval);
    if (buckets > QueryService.MAX_BUCKETS) {
      throw new FilterParser.BadParameter(
          "interval",
          "gives "
              + buckets
              + " buckets for this"
              + " range; at most "
              + QueryService.MAX_BUCKETS
              + " per request");
    }
    return new StatsParameters(from, to, interval, intervalText, groupBy);
  }

  /** An interval such as 30s, 5m, 1h or 7d, in microseconds; at most 366 days. */
  static long interval(String text) {
    Matcher m = INTERVAL.matcher(text);
    if (!m.matches()) {
      throw new FilterParser.BadParameter(
          "interval", "must be a number and a unit s, m, h or d, such as 5m or 1h");
    }
    long n = Long.parseLong(m.group(1));
    long unitMicros =
        switch (m.group(2)) {
          case "s" -> 1_000_000L;
          case "m" -> 60_000_000L;
          case "h" -> 3_600_000_000L;
          default -> DAY_MICROS;
        };
    // n < 1e9 and unitMicros <= 8.64e10, so the product (< 8.7e19) could overflow: compare first
    if (n > MAX_INTERVAL_DAYS * DAY_MICROS / unitMicros) {
      throw new FilterParser.BadParameter("interval", "must be at most " + MAX_INTERVAL_DAYS + "d");
    }
    return n * unitMicros;
  }

  private static @Nullable String one(
      Map<String, List<String>> params, String name, @Nullable String fallback) {
    List<String> v = params.get(name);
    if (v == null || v.isEmpty()) {
      return fallback;
    }
    if (v.get(0).isEmpty()) {
      throw new FilterParser.BadParameter(name, "must not be empty");
    }
    return v.get(0);
  }
}
