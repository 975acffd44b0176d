package dev.vellum.ingest;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * RFC 3339 timestamps to and from microseconds since the epoch, which is how times are stored.
 * Rendering is canonical: UTC with a 'Z', milliseconds always, microseconds only when present,
 * so a time written by a client in canonical form comes back byte for byte.
 */
public final class Times {
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private Times() {}

  /** Parses an RFC 3339 date-time with offset; sub-microsecond digits are truncated. */
  public static Instant parse(String text) {
    try {
      return OffsetDateTime.parse(text.replace('t', 'T').replace('z', 'Z'),
          DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().truncatedTo(ChronoUnit.MICROS);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an RFC 3339 date-time with offset: " + text);
    }
  }

  public static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  public static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
        Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  public static String format(Instant t) {
    return (t.getNano() % 1_000_000 == 0 ? MILLIS : MICROS).format(t);
  }

  public static String formatMicros(long micros) {
    return format(instant(micros));
  }
}
