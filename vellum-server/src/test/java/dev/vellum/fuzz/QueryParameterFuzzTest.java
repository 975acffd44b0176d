package dev.vellum.fuzz;

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
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzz targets for time-valued query parameters and the stats query, whose unbounded
 * arithmetic once hung a request thread. Seeds, including the inputs of issue 9, are under
 * {@code src/test/resources/dev/vellum/fuzz/QueryParameterFuzzTestInputs/<method>/}.
 */
class QueryParameterFuzzTest {
  private static final long NOW = Times.micros(Instant.parse("2026-06-01T12:00:00Z"));
  private static TestNode node;

  private static synchronized TestNode node() throws IOException {
    if (node == null) {
      node = TestNode.start(Files.createTempDirectory("vellum-fuzz-stats-").resolve("data"));
    }
    return node;
  }

  @AfterAll
  static synchronized void close() {
    if (node != null) {
      node.close();
      node = null;
    }
  }

  /** A time parameter is in years 0001-9999 and round-trips, or is a BadParameter naming it. */
  @FuzzTest(maxDuration = "5m")
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
  @FuzzTest(maxDuration = "5m")
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
    assertTrue((q.to() - q.from() + q.interval() - 1) / q.interval() <= QueryService.MAX_BUCKETS,
        q::toString);
  }

  /** The same over HTTP against a real node: a 200 or a 400 problem, never a 5xx or a hang. */
  @FuzzTest(maxDuration = "10m")
  void statsOverHttp(byte[] input) throws IOException {
    StringBuilder query = new StringBuilder();
    for (Map.Entry<String, List<String>> p : params(new String(input, StandardCharsets.UTF_8))
        .entrySet()) {
      for (String v : p.getValue()) {
        query.append(query.length() == 0 ? "?" : "&")
            .append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8)).append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    }
    TestNode.Reply r = node().get("/v1/events/stats" + query, TestNode.ADMIN_KEY);
    assertTrue(r.status() == 200 || r.status() == 400 || r.status() == 414,
        () -> r.status() + " for " + query + ": " + r.raw().body());
  }

  /** {@code a=1&b=2&b=3} split without decoding: every name and value as written. */
  private static Map<String, List<String>> params(String text) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    if (text.isEmpty()) {
      return params;
    }
    for (String pair : text.split("&", -1)) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return params;
  }
}
