package dev.vellum.query;

import dev.vellum.ingest.Times;
import java.time.Instant;

/**
 * Time-valued query parameters. RFC 3339 §5.6 has four-digit years, so a parameter must name an
 * instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z. The bound keeps every
 * difference and sum of two such times far inside a {@code long} of microseconds (about ±2.9e17 of
 * ±9.2e18), so range arithmetic downstream cannot overflow.
 */
public final class QueryTimes {
  /** 0001-01-01T00:00:00Z in microseconds since the epoch. */
  public static final long MIN_MICROS = Times.micros(Instant.parse("0001-01-01T00:00:00Z"));

  /** 9999-12-31T23:59:59.999999Z in microseconds since the epoch. */
  public static final long MAX_MICROS = Times.micros(Instant.parse("9999-12-31T23:59:59.999999Z"));

  private QueryTimes() {}

  /** The value in microseconds, or {@link FilterParser.BadParameter} naming {@code name}. */
  public static long parse(String name, String value) {
    long micros;
    try {
      micros = Times.micros(Times.parse(value));
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new FilterParser.BadParameter(
          name, "must be an RFC 3339 date-time such as 2026-01-31T00:00:00Z");
    }
    if (micros < MIN_MICROS || micros > MAX_MICROS) {
      throw new FilterParser.BadParameter(
          name, "must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z");
    }
    return micros;
  }
}
