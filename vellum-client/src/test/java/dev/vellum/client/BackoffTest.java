package dev.vellum.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final Duration BASE = Duration.ofMillis(100);
  private static final Duration CAP = Duration.ofSeconds(30);

  @Test
  void delay_staysWithinTheDoublingCeilingOfEachAttempt() {
    Backoff b = new Backoff(BASE, CAP, new Random(42));
    for (int attempt = 1; attempt <= 20; attempt++) {
      long ceiling = Math.min(CAP.toMillis(), BASE.toMillis() << (attempt - 1));
      for (int i = 0; i < 200; i++) {
        long d = b.delay(attempt, null).toMillis();
        assertTrue(d >= 0 && d <= ceiling, "attempt " + attempt + ": " + d + " > " + ceiling);
      }
    }
  }

  @Test
  void delay_isFullJitter_spreadFromZeroToTheCeiling() {
    Backoff b = new Backoff(BASE, CAP, new Random(7));
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 2000; i++) {
      long d = b.delay(4, null).toMillis(); // ceiling 800 ms
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertTrue(min < 80, "some delays near zero: " + min);
    assertTrue(max > 720, "some delays near the ceiling: " + max);
  }

  @Test
  void delay_neverExceedsTheCapEvenAfterManyAttempts() {
    Backoff b = new Backoff(BASE, CAP, new Random(1));
    for (int attempt : new int[] {30, 63, 64, 1000, Integer.MAX_VALUE}) {
      assertTrue(b.delay(attempt, null).compareTo(CAP) <= 0);
    }
  }

  @Test
  void delay_withRetryAfter_isNeverShorterThanTheServerAsked() {
    Backoff b = new Backoff(BASE, CAP, new Random(3));
    for (int i = 0; i < 500; i++) {
      Duration d = b.delay(1, Duration.ofSeconds(2));
      assertTrue(d.compareTo(Duration.ofSeconds(2)) >= 0, d.toString());
      assertTrue(d.compareTo(Duration.ofSeconds(2).plus(BASE)) <= 0, d.toString());
    }
  }

  @Test
  void construction_rejectsABaseLargerThanTheCap() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(1), new Random()));
    assertTrue(e.getMessage().contains("PT5S"), e.getMessage());
  }

  @Test
  void retryAfter_readsDeltaSeconds() {
    assertEquals(Duration.ofSeconds(7), Http.retryAfter("7", Instant.EPOCH));
  }

  @Test
  void retryAfter_readsAnHttpDate() {
    Instant now = Instant.parse("2026-01-31T09:15:00Z");
    assertEquals(Duration.ofSeconds(30), Http.retryAfter("Sat, 31 Jan 2026 09:15:30 GMT", now));
  }

  @Test
  void retryAfter_isNullForGarbageAndCappedWhenHuge() {
    assertNull(Http.retryAfter("soon", Instant.EPOCH));
    assertNull(Http.retryAfter(null, Instant.EPOCH));
    assertEquals(Http.MAX_RETRY_AFTER, Http.retryAfter("86400", Instant.EPOCH));
  }
}
