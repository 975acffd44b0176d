package dev.vellum.http;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.testing.RawHttp;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP edge findings of issue 9, each over HTTP against one real server. */
@Timeout(60)
class HttpEdgeApiTest {
  @TempDir static Path dir;
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(dir);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static void assertBadParameter(Reply r, String parameter) {
    assertEquals(400, r.status(), r.raw().body());
    assertEquals(ProblemHandlers.CONTENT_TYPE, r.contentType());
    assertEquals(ProblemException.TYPE_BASE + "bad-request", r.body().path("type").asText());
    assertEquals(
        "/" + parameter, r.body().path("errors").path(0).path("pointer").asText(), r.raw().body());
  }

  @Test
  void rejectsStatsRangeBeyondYear9999() {
    assertBadParameter(
        node.get(
            "/v1/events/stats?from=-290000-01-01T00:00:00Z"
                + "&to=%2B290000-01-01T00:00:00Z&interval=1h",
            ADMIN_KEY),
        "to");
    assertBadParameter(
        node.get("/v1/events/stats?from=-300000-01-01T00:00:00Z", ADMIN_KEY), "from");
  }

  @Test
  void rejectsStatsIntervalLongerThanAYear() {
    Reply r = node.get("/v1/events/stats?interval=999999d", ADMIN_KEY);
    assertBadParameter(r, "interval");
    assertTrue(r.body().path("detail").asText().contains("366d"), r.raw().body());
  }

  @Test
  void rejectsStatsRangeWithMoreThanTenThousandBuckets() {
    assertBadParameter(
        node.get(
            "/v1/events/stats?from=0001-01-01T00:00:00Z" + "&to=9999-12-31T23:59:59Z&interval=300d",
            ADMIN_KEY),
        "interval");
  }

  @Test
  void answersStatsAtTheLastDayOfYear9999() {
    Reply r =
        node.get(
            "/v1/events/stats?from=9999-12-31T00:00:00Z"
                + "&to=9999-12-31T23:59:59.999999Z&interval=1h",
            ADMIN_KEY);
    assertEquals(200, r.status(), r.raw().body());
    assertEquals(24, r.body().path("buckets").size());
  }

  @Test
  void rejectsSearchTimeBeyondYear9999() {
    assertBadParameter(node.get("/v1/events?from=%2B300000-01-01T00:00:00Z", ADMIN_KEY), "from");
    assertBadParameter(node.get("/v1/events?to=-000001-01-01T00:00:00Z", ADMIN_KEY), "to");
  }

  @Test
  void searchTreatsToAsExclusive() {
    Instant at = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    ObjectNode e = node.loginEvent("edge-of-range");
    e.put("occurred_at", at.toString());
    assertEquals(200, node.post("/v1/events", ADMIN_KEY, e).status());
    String base = "/v1/events?actor_id=edge-of-range&";
    assertEquals(0, node.get(base + "to=" + at, ADMIN_KEY).body().path("events").size());
    assertEquals(1, node.get(base + "from=" + at, ADMIN_KEY).body().path("events").size());
  }

  @Test
  void rejectsBadWaitForCheckpointBeforeStoringTheEvents() {
    String id = UUID.randomUUID().toString();
    ObjectNode e = node.loginEvent("waiter").put("id", id);
    Reply r = node.post("/v1/events?wait_for_checkpoint=bogus", ADMIN_KEY, e);
    assertBadParameter(r, "wait_for_checkpoint");
    assertEquals(404, node.get("/v1/events/" + id, ADMIN_KEY).status());
  }

  @Test
  void rejectsUnknownQueryParameterOfAnyRouteBeforeStoring() {
    String id = UUID.randomUUID().toString();
    assertBadParameter(
        node.post(
            "/v1/events?waitForCheckpoint=true", ADMIN_KEY, node.loginEvent("typo").put("id", id)),
        "waitForCheckpoint");
    assertEquals(404, node.get("/v1/events/" + id, ADMIN_KEY).status());
    assertBadParameter(node.get("/v1/log/checkpoint?verbose=1", ADMIN_KEY), "verbose");
  }

  @Test
  void refusesUtf16BodyThatWouldSlipPastThePerEventLimit() {
    String id = UUID.randomUUID().toString();
    // 700 KB of text: under the 1 MiB limit as UTF-8, but it was once counted in UTF-16 units
    ObjectNode e = node.loginEvent("wide").put("id", id).put("reason", "x".repeat(700_000));
    RawHttp.Response r =
        RawHttp.request(
            node.port(),
            "POST",
            "/v1/events",
            ADMIN_KEY,
            "application/json",
            e.toString().getBytes(StandardCharsets.UTF_16));
    assertEquals(415, r.status(), r.body());
    HostileInputTest.assertProblem(r);
    assertEquals(404, node.get("/v1/events/" + id, ADMIN_KEY).status());
  }

  @Test
  void refusesDeclaredCharsetOtherThanUtf8() {
    Reply r =
        node.send(
            "POST",
            "/v1/events",
            ADMIN_KEY,
            "application/json; charset=utf-16",
            node.loginEvent("latin").toString());
    assertEquals(415, r.status(), r.raw().body());
    assertEquals(
        ProblemException.TYPE_BASE + "unsupported-media-type", r.body().path("type").asText());
  }

  @Test
  void acceptsDeclaredUtf8Charset() {
    Reply r =
        node.send(
            "POST",
            "/v1/events",
            ADMIN_KEY,
            "application/json; charset=UTF-8",
            node.loginEvent("utf8").toString());
    assertEquals(200, r.status(), r.raw().body());
  }

  @Test
  void findsEventAndItsProofByUpperCaseId() throws Exception {
    String id = UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
    Reply stored =
        node.post(
            "/v1/events?wait_for_checkpoint=true",
            ADMIN_KEY,
            node.loginEvent("shouty").put("id", id));
    assertEquals(200, stored.status(), stored.raw().body());
    Reply byId = node.get("/v1/events/" + id, ADMIN_KEY);
    assertEquals(200, byId.status(), byId.raw().body());
    assertEquals(id.toLowerCase(Locale.ROOT), byId.body().path("id").asText());
    Reply proof = node.get("/v1/events/" + id + "/proof", ADMIN_KEY);
    assertEquals(200, proof.status(), proof.raw().body());
  }

  @Test
  void answersIllegalPathCharacterWithProblem() {
    RawHttp.Response r =
        RawHttp.request(node.port(), "GET", "/v1/events/%GG", ADMIN_KEY, null, null);
    assertEquals(400, r.status(), r.body());
    HostileInputTest.assertProblem(r);
  }

  @Test
  void answersOverlongQueryStringWithProblem() {
    RawHttp.Response r =
        RawHttp.request(
            node.port(), "GET", "/v1/events?q=" + "a".repeat(10_000), ADMIN_KEY, null, null);
    assertEquals(414, r.status(), r.body());
    HostileInputTest.assertProblem(r);
  }

  @Test
  void answersUnsupportedMethodWith405Problem() {
    RawHttp.Response r =
        RawHttp.request(node.port(), "DELETE", "/v1/events", ADMIN_KEY, null, null);
    assertEquals(405, r.status(), r.body());
    HostileInputTest.assertProblem(r);
  }

  @Test
  void answersEmptyStoreBatchWith400AsDocumented() {
    Reply r = node.post("/v1/audit/store-batch", ADMIN_KEY, "{\"records\": []}");
    assertEquals(400, r.status(), r.raw().body());
    assertEquals("/records", r.body().path("errors").path(0).path("pointer").asText());
  }

  @Test
  void hidesParserInternalsInMalformedJsonDetail() {
    Reply r = node.post("/v1/events", ADMIN_KEY, "{\"occurred_at\": NaN}");
    assertEquals(400, r.status(), r.raw().body());
    String detail = r.body().path("detail").asText();
    assertTrue(detail.contains("line 1, column"), detail);
    assertFalse(detail.contains("Feature") || detail.contains("`"), detail);
  }
}
