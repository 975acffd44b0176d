package dev.vellum.http;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.config.VellumConfig;
import dev.vellum.testing.RawHttp;
import dev.vellum.testing.TestNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** vellum_http_requests: by route template and status, also for answers no handler gave. */
@Timeout(60)
class HttpMetricsTest {
  @TempDir Path dir;
  TestNode node;

  @BeforeEach
  void start() {
    node = TestNode.start(dir, c -> c.withRateLimit(new VellumConfig.RateLimit(1, 3)));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private String metrics() {
    TestNode.Reply r = node.get("/metrics", null);
    assertEquals(200, r.status());
    return r.raw().body();
  }

  private static void assertCounted(String metrics, String route, int status) {
    assertTrue(
        metrics
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("vellum_http_requests_seconds_count{")
                        && l.contains("route=\"" + route + "\"")
                        && l.contains("status=\"" + status + "\"")),
        () ->
            route
                + " "
                + status
                + " not counted in:\n"
                + metrics
                    .lines()
                    .filter(l -> l.startsWith("vellum_http_requests_seconds_count"))
                    .toList());
  }

  @Test
  void countsUnauthorizedRequestsByRouteTemplateNotRawPath() {
    assertEquals(401, node.get("/v1/events/raw-id-that-must-not-be-a-label", "vk_wrong").status());
    String m = metrics();
    assertCounted(m, "/v1/events/{id}", 401);
    assertFalse(m.contains("raw-id-that-must-not-be-a-label"));
  }

  @Test
  void countsRateLimitedRequests() {
    int limited = 0;
    for (int i = 0; i < 10; i++) {
      limited += node.get("/v1/sources", ADMIN_KEY).status() == 429 ? 1 : 0;
    }
    assertTrue(limited > 0, "a burst of 3 at 1/s must refuse some of 10 requests");
    assertCounted(metrics(), "/v1/sources", 429);
  }

  @Test
  void countsErrorsJettyAnswersBeforeRouting() {
    RawHttp.Response big =
        RawHttp.send(
            node.port(),
            "GET /v1/events HTTP/1.1\r\nHost: x\r\n" + "X-Padding: " + "p".repeat(20_000),
            null);
    assertEquals(431, big.status());
    RawHttp.Response bad = RawHttp.request(node.port(), "GET", "/v1/%GG", null, null, null);
    assertEquals(400, bad.status());
    String m = metrics();
    assertCounted(m, "unrouted", 431);
    assertCounted(m, "unrouted", 400);
  }

  @Test
  void countsUnknownPathsAsUnmatched() {
    assertEquals(404, node.get("/no/such/path/42", null).status());
    String m = metrics();
    assertCounted(m, "unmatched", 404);
    assertFalse(m.contains("/no/such/path/42"));
  }
}
