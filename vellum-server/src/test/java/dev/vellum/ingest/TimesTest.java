package dev.vellum.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimesTest {
  @Test
  void fastPathAgreesWithTheJdkParserOnRandomTimes() {
    Random r = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      Instant t = Instant.ofEpochSecond(r.nextInt(2_000_000_000), r.nextInt(1_000_000_000));
      ZoneOffset off = ZoneOffset.ofTotalSeconds((r.nextInt(49) - 24) * 1800);
      String text = OffsetDateTime.ofInstant(t, off).toString();
      assertEquals(t.truncatedTo(ChronoUnit.MICROS), Times.parse(text), text);
    }
  }

  @Test
  void acceptsLowercaseSeparatorsAndShortFractions() {
    assertEquals(Instant.parse("2026-01-02T03:04:05.100Z"), Times.parse("2026-01-02t03:04:05.1z"));
    assertEquals(Instant.parse("2026-01-02T01:04:05Z"), Times.parse("2026-01-02T03:04:05+02:00"));
  }

  @Test
  void rejectsImpossibleDatesAndMissingOffsets() {
    assertThrows(IllegalArgumentException.class, () -> Times.parse("2026-02-30T00:00:00Z"));
    assertThrows(IllegalArgumentException.class, () -> Times.parse("2026-01-01T24:00:00Z"));
    assertThrows(IllegalArgumentException.class, () -> Times.parse("2026-01-01T00:00:00"));
    assertThrows(IllegalArgumentException.class, () -> Times.parse("2026-01-01T00:00:00.Z"));
    assertThrows(IllegalArgumentException.class, () -> Times.parse("2026-1-01T00:00:00Z"));
  }

  @Test
  void formatsMillisecondsAlwaysAndMicrosecondsOnlyWhenPresent() {
    assertEquals("2026-01-02T03:04:05.000Z", Times.format(Instant.parse("2026-01-02T03:04:05Z")));
    assertEquals(
        "2026-01-02T03:04:05.000001Z", Times.format(Instant.parse("2026-01-02T03:04:05.000001Z")));
  }

  @Test
  void rejectsYearsOutsideRfc3339WithoutOverflowing() {
    // the JDK parser reads signed years of up to ten digits; micros since the epoch overflow
    for (String t :
        new String[] {
          "-300000-01-01T00:00:00Z",
          "+300000-01-01T00:00:00Z",
          "+10000-01-01T00:00:00Z",
          "0000-12-31T23:59:59Z",
          "0001-01-01T00:30:00+01:00",
          "-999999999-01-01T00:00:00Z"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Times.parse(t), t);
      assertTrue(e.getMessage().contains("0001") || e.getMessage().contains("RFC 3339"), t);
    }
  }

  @Test
  void acceptsTheFirstAndLastRfc3339Instants() {
    assertEquals(Times.MIN, Times.parse("0001-01-01T00:00:00Z"));
    assertEquals(Times.MAX, Times.parse("9999-12-31T23:59:59.999999999Z"));
    assertEquals(Times.MAX, Times.instant(Times.micros(Times.MAX)));
  }
}
