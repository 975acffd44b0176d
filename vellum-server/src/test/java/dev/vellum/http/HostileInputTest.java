package dev.vellum.http;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.testing.RawHttp;
import dev.vellum.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malicious and malformed requests against one server. Each must get a 4xx problem document with a
 * stable type and no library internals, store nothing, and leave the server healthy.
 */
@Timeout(60)
class HostileInputTest {
  @TempDir static Path dir;
  static TestNode node;

  /** One hostile request and the status it must get. */
  record Case(
      String name, int status, String method, String target, String contentType, byte[] body) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void start() {
    node = TestNode.start(dir);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static Stream<Case> cases() {
    // a valid event, so that only the hostile part of a request can be the reason to refuse it
    String event =
        "{\"occurred_at\": \""
            + java.time.Instant.now().minusSeconds(60)
            + "\", \"source\": \"DEMO_APP\", \"type\": \"LOGIN_SUCCESSFUL\","
            + " \"outcome\": \"success\", \"actor\": {\"id\": \"mallory\"},"
            + " \"metadata\": {\"login_method\": \"PASSWORD\"}}";
    byte[] utf8 = event.getBytes(StandardCharsets.UTF_8);
    return Stream.of(
        get(
            "stats range overflowing a long",
            400,
            "/v1/events/stats?from=-290000-01-01T00:00:00Z"
                + "&to=%2B290000-01-01T00:00:00Z&interval=1h"),
        get("stats interval of 999999 days", 400, "/v1/events/stats?interval=999999d"),
        get("stats from year -300000", 400, "/v1/events/stats?from=-300000-01-01T00:00:00Z"),
        get("stats to year +300000", 400, "/v1/events/stats?to=%2B300000-01-01T00:00:00Z"),
        get(
            "stats from year 0000 by offset",
            400,
            "/v1/events/stats?from=0001-01-01T00:00:00%2B01:00"),
        get(
            "stats interval of 2^63 seconds",
            400,
            "/v1/events/stats?interval=9223372036854775808s"),
        get("stats repeated parameter", 400, "/v1/events/stats?interval=1h&interval=1d"),
        get("search from year +300000", 400, "/v1/events?from=%2B300000-01-01T00:00:00Z"),
        get("search to year 10000", 400, "/v1/events?to=%2B10000-01-01T00:00:00Z"),
        get("proof with unknown parameter", 400, "/v1/log/proof?leaf_index=0&x=1"),
        get("checkpoints with a negative size", 400, "/v1/log/checkpoints?since_size=-1"),
        get("sources with a parameter", 400, "/v1/sources?all=1"),
        post("bogus wait_for_checkpoint", 400, "/v1/events?wait_for_checkpoint=bogus", utf8),
        post("unknown parameter on ingest", 400, "/v1/events?dry_run=true", utf8),
        post(
            "repeated wait_for_checkpoint",
            400,
            "/v1/events?wait_for_checkpoint=true&wait_for_checkpoint=false",
            utf8),
        post("body in UTF-16 with a byte-order mark", 415, "/v1/events", bomUtf16(event)),
        post(
            "body in UTF-16LE without a byte-order mark",
            415,
            "/v1/events",
            event.getBytes(StandardCharsets.UTF_16LE)),
        post(
            "body in UTF-32BE",
            415,
            "/v1/events",
            event.getBytes(java.nio.charset.Charset.forName("UTF-32BE"))),
        new Case(
            "charset=utf-16 declared",
            415,
            "POST",
            "/v1/events",
            "application/json; charset=utf-16",
            utf8),
        new Case(
            "charset=iso-8859-1 declared",
            415,
            "POST",
            "/v1/audit/store",
            "application/json;charset=ISO-8859-1",
            utf8),
        new Case("text/plain body", 415, "POST", "/v1/events", "text/plain", utf8),
        post("NaN in JSON", 400, "/v1/events", "{\"occurred_at\": NaN}".getBytes()),
        post("comment in JSON", 400, "/v1/events", "/* hi */ {}".getBytes()),
        post(
            "nesting 5000 deep",
            400,
            "/v1/events",
            ("[".repeat(5000) + "]".repeat(5000)).getBytes()),
        post("unterminated object", 400, "/v1/events", "{\"a\": [1, 2".getBytes()),
        post("trailing data", 400, "/v1/events", (event + " x").getBytes()),
        post(
            "store-batch with no records",
            400,
            "/v1/audit/store-batch",
            "{\"records\": []}".getBytes()),
        post(
            "store with a huge number",
            400,
            "/v1/audit/store",
            "{\"timestamp\": 1e999999999}".getBytes()),
        new Case("illegal character in the path", 400, "GET", "/v1/events/%GG", null, null),
        new Case("encoded NUL in the path", 400, "GET", "/v1/events/a%00b", null, null),
        new Case("encoded slash in a tile path", 404, "GET", "/v1/log/tile/0%2F000", null, null),
        new Case(
            "10,000-character query string",
            414,
            "GET",
            "/v1/events?q=" + "a".repeat(10_000),
            null,
            null),
        new Case("DELETE on the events collection", 405, "DELETE", "/v1/events", null, null),
        new Case("PATCH on a source", 405, "PATCH", "/v1/sources/DEMO_APP", null, null),
        new Case("unknown method", 405, "BREW", "/v1/events", null, null));
  }

  private static Case get(String name, int status, String target) {
    return new Case(name, status, "GET", target, null, null);
  }

  private static Case post(String name, int status, String target, byte[] body) {
    return new Case(name, status, "POST", target, "application/json", body);
  }

  private static byte[] bomUtf16(String text) {
    return text.getBytes(StandardCharsets.UTF_16); // big-endian with a byte-order mark
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void hostileRequestIsRefusedWithProblemAndStoresNothing(Case c) {
    int before = storedEvents();
    RawHttp.Response r =
        RawHttp.request(node.port(), c.method(), c.target(), ADMIN_KEY, c.contentType(), c.body());
    assertEquals(c.status(), r.status(), () -> c + ": " + r.body());
    assertProblem(r);
    assertEquals(before, storedEvents(), c + " stored something");
    assertHealthy();
  }

  @Test
  void headerOf20KilobytesIsRefusedWithProblem() {
    RawHttp.Response r =
        RawHttp.send(
            node.port(),
            "GET /v1/events HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer "
                + ADMIN_KEY
                + "\r\nX-Padding: "
                + "p".repeat(20_000),
            null);
    assertEquals(431, r.status(), r.body());
    assertProblem(r);
    assertHealthy();
  }

  static void assertProblem(RawHttp.Response r) {
    assertEquals(ProblemHandlers.CONTENT_TYPE, r.header("content-type"), r.body());
    assertTrue(
        r.json() != null && r.json().path("type").asText().startsWith(ProblemException.TYPE_BASE),
        r.body());
    assertEquals(r.status(), r.json().path("status").asInt(), r.body());
    String detail = r.json().path("detail").asText();
    assertFalse(detail.isBlank(), r.body());
    for (String internal :
        List.of(
            "Feature",
            "StreamReadConstraints",
            "java.",
            "jakarta.",
            "org.eclipse",
            "com.fasterxml",
            "Exception",
            "[Source",
            "\tat ")) {
      assertFalse(r.body().contains(internal), () -> "library internals in " + r.body());
    }
  }

  /** Events of the tenant's producer source; reads are audited under VELLUM and not counted. */
  private static int storedEvents() {
    TestNode.Reply r = node.get("/v1/events?source=DEMO_APP&limit=1000", ADMIN_KEY);
    assertEquals(200, r.status(), r.raw().body());
    return r.body().path("events").size();
  }

  private static void assertHealthy() {
    assertEquals(200, node.get("/health/ready", null).status());
  }

  @Test
  void serverStillIngestsAndSearchesAfterHostileRequests() {
    cases()
        .forEach(
            c ->
                RawHttp.request(
                    node.port(), c.method(), c.target(), ADMIN_KEY, c.contentType(), c.body()));
    TestNode.Reply stored = node.post("/v1/events", ADMIN_KEY, node.loginEvent("after-attack"));
    assertEquals(200, stored.status(), stored.raw().body());
    TestNode.Reply found = node.get("/v1/events?actor_id=after-attack", ADMIN_KEY);
    assertEquals(200, found.status(), found.raw().body());
    assertEquals(1, found.body().path("events").size(), found.raw().body());
  }
}
