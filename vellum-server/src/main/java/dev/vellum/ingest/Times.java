package dev.vellum.ingest;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/**
 * RFC 3339 timestamps to and from microseconds since the epoch, which is how times are stored.
 * Rendering is canonical: UTC with a 'Z', milliseconds always, microseconds only when present, so a
 * time written by a client in canonical form comes back byte for byte.
 *
 * <p>Only the years RFC 3339 can write are accepted: 0001 to 9999, both as written and once
 * converted to UTC. Anything else (the JDK parser accepts {@code -300000-01-01T00:00:00Z}) would
 * overflow microseconds since the epoch or fail to render again.
 */
public final class Times {
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private static final java.util.regex.Pattern EMPTY_FRACTION =
      java.util.regex.Pattern.compile("\\.(?![0-9])");

  /**
   * The earliest and latest instants accepted: 0001-01-01T00:00:00Z, 9999-12-31T23:59:59.999999Z.
   */
  public static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");

  public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

  private Times() {}

  /** Parses an RFC 3339 date-time with offset; sub-microsecond digits are truncated. */
  public static Instant parse(String text) {
    Instant fast = parseCommonForm(text);
    if (fast != null) {
      return inRange(fast, text);
    }
    if (text.length() > 64) {
      throw new IllegalArgumentException(
          "not an RFC 3339 date-time with offset: it is " + text.length() + " characters long");
    }
    if (EMPTY_FRACTION.matcher(text).find()) {
      // the JDK formatter accepts "12:00:00.Z"; RFC 3339 requires a digit after the point
      throw new IllegalArgumentException("not an RFC 3339 date-time with offset: " + text);
    }
    OffsetDateTime parsed;
    try {
      parsed =
          OffsetDateTime.parse(
              text.replace('t', 'T').replace('z', 'Z'), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an RFC 3339 date-time with offset: " + text);
    }
    if (parsed.getYear() < 1 || parsed.getYear() > 9999) {
      throw outOfRange(text);
    }
    return inRange(parsed.toInstant().truncatedTo(ChronoUnit.MICROS), text);
  }

  private static Instant inRange(Instant t, String text) {
    if (t.isBefore(MIN) || t.isAfter(MAX)) {
      throw outOfRange(text);
    }
    return t;
  }

  private static IllegalArgumentException outOfRange(String text) {
    return new IllegalArgumentException(
        "out of range: RFC 3339 times are between"
            + " 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, got "
            + text);
  }

  /**
   * The common shape {@code yyyy-MM-ddTHH:mm:ss[.fraction](Z|±HH:MM)} without the formatter
   * machinery, which costs more than the rest of event normalisation. Returns null for any other
   * shape, which the full parser then handles or rejects; field ranges are still checked (by {@link
   * LocalDateTime#of}).
   */
  private static @Nullable Instant parseCommonForm(String t) {
    int n = t.length();
    if (n < 20
        || t.charAt(4) != '-'
        || t.charAt(7) != '-'
        || (t.charAt(10) != 'T' && t.charAt(10) != 't')
        || t.charAt(13) != ':'
        || t.charAt(16) != ':') {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 7);
    int day = digits(t, 8, 10);
    int hour = digits(t, 11, 13);
    int minute = digits(t, 14, 16);
    int second = digits(t, 17, 19);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    int i = 19;
    int nanos = 0;
    if (i < n && t.charAt(i) == '.') {
      int start = ++i;
      while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
        i++;
      }
      int len = i - start;
      if (len == 0 || len > 9) {
        return null;
      }
      nanos = digits(t, start, i);
      for (int k = len; k < 9; k++) {
        nanos *= 10;
      }
    }
    int offsetSeconds;
    if (i == n - 1 && (t.charAt(i) == 'Z' || t.charAt(i) == 'z')) {
      offsetSeconds = 0;
    } else if (i == n - 6 && (t.charAt(i) == '+' || t.charAt(i) == '-') && t.charAt(i + 3) == ':') {
      int oh = digits(t, i + 1, i + 3);
      int om = digits(t, i + 4, i + 6);
      if (oh < 0 || om < 0 || oh > 23 || om > 59) {
        return null;
      }
      offsetSeconds = (t.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
          .toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds))
          .truncatedTo(ChronoUnit.MICROS);
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException("not an RFC 3339 date-time with offset: " + t);
    }
  }

  /** The decimal value of {@code t[from, to)}, or -1 if any of it is not an ASCII digit. */
  private static int digits(String t, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  public static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  public static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  @SuppressWarnings("JavaInstantGetSecondsGetNano") // only the fraction of the second decides
  public static String format(Instant t) {
    return (t.getNano() % 1_000_000 == 0 ? MILLIS : MICROS).format(t);
  }

  public static String formatMicros(long micros) {
    return format(instant(micros));
  }
}
