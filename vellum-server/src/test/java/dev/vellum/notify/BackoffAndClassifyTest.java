package dev.vellum.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The retry schedule and how answers are classified. */
class BackoffAndClassifyTest {
  private final Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofHours(1));

  @Test
  void waitsStayWithinTheDoublingCeiling() {
    for (int attempt = 1; attempt <= 40; attempt++) {
      Duration ceiling = backoff.ceiling(attempt);
      for (int i = 0; i < 200; i++) {
        Duration w = backoff.next(attempt, null);
        assertTrue(!w.isNegative() && w.compareTo(ceiling) <= 0, attempt + ": " + w);
      }
    }
    assertEquals(Duration.ofSeconds(10), backoff.ceiling(1));
    assertEquals(Duration.ofSeconds(20), backoff.ceiling(2));
    assertEquals(Duration.ofSeconds(2560), backoff.ceiling(9));
    assertEquals(Duration.ofHours(1), backoff.ceiling(10));
    assertEquals(Duration.ofHours(1), backoff.ceiling(1000));
  }

  @Test
  void jitterSpreadsTheWaits() {
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 500; i++) {
      long ms = backoff.next(5, null).toMillis();
      min = Math.min(min, ms);
      max = Math.max(max, ms);
    }
    // uniform over [0, 160 s]: 500 draws land far apart
    assertTrue(min < 40_000 && max > 120_000, min + ".." + max);
  }

  @Test
  void retryAfterIsAFloor() {
    for (int i = 0; i < 100; i++) {
      assertTrue(backoff.next(1, Duration.ofMinutes(30)).compareTo(Duration.ofMinutes(30)) >= 0);
    }
  }

  @Test
  void classifiesAnswers() {
    assertEquals("delivered", kind(200));
    assertEquals("delivered", kind(204));
    assertEquals("retry", kind(408));
    assertEquals("retry", kind(429));
    assertEquals("retry", kind(500));
    assertEquals("retry", kind(503));
    assertEquals("permanent", kind(400));
    assertEquals("permanent", kind(401));
    assertEquals("permanent", kind(404));
    assertEquals("permanent", kind(410));
    assertEquals("permanent", kind(301));
    assertEquals("permanent", kind(307));
  }

  @Test
  void parsesRetryAfter() {
    assertEquals(Duration.ofSeconds(120), HttpPoster.retryAfter("120"));
    assertNull(HttpPoster.retryAfter("soon"));
    assertNull(HttpPoster.retryAfter("-5"));
    Duration d = HttpPoster.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT");
    assertEquals(Duration.ZERO, d, "a date in the past means now");
  }

  private static String kind(int status) {
    return Sender.classify(new HttpPoster.Answer(status, null, "")).kind();
  }
}
