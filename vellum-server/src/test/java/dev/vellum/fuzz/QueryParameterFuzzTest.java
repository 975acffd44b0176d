package dev.vellum.fuzz;

import static dev.vellum.fuzz.FuzzNode.assertStatusIn;
import static dev.vellum.fuzz.FuzzNode.params;
import static dev.vellum.fuzz.FuzzNode.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vellum.ingest.Times;
import dev.vellum.query.FilterParser;
import dev.vellum.query.QueryService;
import dev.vellum.query.QueryTimes;
import dev.vellum.query.StatsParameters;
import dev.vellum.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzz targets for time-valued query parameters and the stats query, whose unbounded arithmetic
 * once hung a request thread. Seeds, including the inputs of issue 9, are under {@code
 * src/test/resources/dev/vellum/fuzz/QueryParameterFuzzTestInputs/<method>/}.
 */
class QueryParameterFuzzTest {
  private static final long NOW = Times.micros(Instant.parse("2026-06-01T12:00:00Z"));
  private static FuzzNode node;

  private static synchronized TestNode node() {
    if (node == null) {
      node = FuzzNode.start("stats");
    }
    return node.node();
  }

  @AfterAll
  static synchronized void close() {
    if (node != null) {
      node.close();
      node = null;
    }
  }

  /** A time parameter is in years 0001-9999 and round-trips, or is a BadParameter naming it. */
  @FuzzTest(maxDuration = "10m")
  void queryTime(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    long micros;
    try {
      micros = QueryTimes.parse("from", text);
    } catch (FilterParser.BadParameter expected) {
      assertEquals("from", expected.name());
      return;
    }
    assertTrue(micros >= QueryTimes.MIN_MICROS && micros <= QueryTimes.MAX_MICROS, text);
    assertEquals(micros, QueryTimes.parse("from", Times.formatMicros(micros)), text);
  }

  /** Stats parameters: a bounded, non-empty range of at most MAX_BUCKETS buckets, or a 400. */
  @FuzzTest(maxDuration = "10m")
  void statsParameters(byte[] input) {
    StatsParameters q;
    try {
      q = StatsParameters.parse(params(new String(input, StandardCharsets.UTF_8)), NOW);
    } catch (FilterParser.BadParameter expected) {
      assertNotNull(expected.name());
      return;
    }
    assertTrue(q.interval() > 0, q::toString);
    assertTrue(q.from() < q.to() && q.to() <= QueryTimes.MAX_MICROS, q::toString);
    assertTrue(q.from() > QueryTimes.MIN_MICROS - q.interval(), q::toString);
    assertTrue(
        (q.to() - q.from() + q.interval() - 1) / q.interval() <= QueryService.MAX_BUCKETS,
        q::toString);
  }

  /**
   * The same over HTTP against a real node: a 200 or a 400 problem (414 when the encoded query
   * outgrows Jetty's request line), never a 5xx or a hang.
   */
  @FuzzTest(maxDuration = "30m")
  void statsOverHttp(byte[] input) {
    String query = query(params(new String(input, StandardCharsets.UTF_8)));
    TestNode.Reply r = node().get("/v1/events/stats" + query, TestNode.ADMIN_KEY);
    assertStatusIn(Set.of(200, 400, 414), r, "GET /v1/events/stats" + query);
  }
}
