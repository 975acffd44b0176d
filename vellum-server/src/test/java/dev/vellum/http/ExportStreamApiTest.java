package dev.vellum.http;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /v1/events/export and GET /v1/events/stream over real HTTP. */
class ExportStreamApiTest {
  @TempDir static Path dir;
  static TestNode node;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    node = TestNode.start(dir);
    // 2,345 events: more than two export pages of 1,000
    for (int b = 0; b < 3; b++) {
      ArrayNode batch = node.json.createArrayNode();
      for (int i = 0; i < (b < 2 ? 1000 : 345); i++) {
        ObjectNode e = node.loginEvent("bulk-" + (i % 7));
        e.put("reason", "row " + b + "-" + i + ", with \"quotes\"");
        batch.add(e);
      }
      assertEquals(200, node.post("/v1/events", ADMIN_KEY, batch).status());
    }
    ObjectNode hostile = node.loginEvent("=cmd|' /C calc'!A0");
    hostile.put("reason", "+SUM(1,2)");
    hostile.with("actor").put("name", "@evil\n<script>alert(1)</script>");
    assertEquals(200, node.post("/v1/events", ADMIN_KEY, hostile).status());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static List<String> searchIds(String filter) {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    do {
      Reply r =
          node.get(
              "/v1/events?limit=1000&" + filter + (cursor == null ? "" : "&cursor=" + cursor),
              ADMIN_KEY);
      assertEquals(200, r.status(), r.raw().body());
      r.body().get("events").forEach(e -> ids.add(e.get("id").asText()));
      cursor = r.body().get("next_cursor").isNull() ? null : r.body().get("next_cursor").asText();
    } while (cursor != null);
    return ids;
  }

  @Test
  void exportCsv_hasEveryMatchingEventInSearchOrder() {
    Reply r = node.get("/v1/events/export?format=csv&q=row&type=LOGIN_SUCCESSFUL", ADMIN_KEY);
    assertEquals(200, r.status(), r.raw().body());
    assertTrue(r.contentType().startsWith("text/csv"));
    assertTrue(r.header("content-disposition").startsWith("attachment;"));
    List<String> lines = csvRecords(r.raw().body());
    assertEquals(String.join(",", ExportRoutes.CSV_COLUMNS), lines.get(0));
    List<String> ids = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      ids.add(line.split(",", 3)[1]);
    }
    List<String> api = searchIds("q=row&type=LOGIN_SUCCESSFUL");
    assertEquals(2345, api.size());
    assertEquals(api, ids);
  }

  @Test
  void exportJsonl_linesAreTheSearchEvents() throws Exception {
    Reply r = node.get("/v1/events/export?format=jsonl&actor_id=bulk-3&order=asc", ADMIN_KEY);
    assertEquals(200, r.status(), r.raw().body());
    List<String> ids = new ArrayList<>();
    for (String line : r.raw().body().split("\n")) {
      JsonNode e = node.json.readTree(line);
      assertNotNull(e.get("leaf_hash"));
      ids.add(e.get("id").asText());
    }
    assertEquals(searchIds("actor_id=bulk-3&order=asc"), ids);
  }

  @Test
  void exportCsv_neutralisesFormulas() {
    Reply r = node.get("/v1/events/export?format=csv&q=calc", ADMIN_KEY);
    assertEquals(200, r.status());
    String body = r.raw().body();
    assertTrue(body.contains(",'=cmd|' /C calc'!A0,"), body);
    assertTrue(body.contains(",'+SUM(1,2)") || body.contains(",\"'+SUM(1,2)\""), body);
    assertTrue(body.contains("\"'@evil\n<script>alert(1)</script>\""), body);
    for (String cell : List.of("=cmd", "+SUM", "@evil")) {
      assertFalse(body.contains("," + cell) || body.contains(",\"" + cell), cell);
    }
  }

  @Test
  void csvCell_quotesAndPrefixes() {
    assertEquals("plain", ExportRoutes.csvCell("plain"));
    assertEquals("\"a,b\"", ExportRoutes.csvCell("a,b"));
    assertEquals("\"say \"\"hi\"\"\"", ExportRoutes.csvCell("say \"hi\""));
    assertEquals("'-1+1", ExportRoutes.csvCell("-1+1"));
    assertEquals("'\tx", ExportRoutes.csvCell("\tx"));
    assertEquals("\"'=1,2\"", ExportRoutes.csvCell("=1,2"));
  }

  @Test
  void export_isRecordedAsAccessWithItsRowCount() throws Exception {
    assertEquals(
        200, node.get("/v1/events/export?format=jsonl&actor_id=bulk-5", ADMIN_KEY).status());
    int expected = searchIds("actor_id=bulk-5").size();
    JsonNode found = null;
    for (int i = 0; i < 50 && found == null; i++) {
      Reply r = node.get("/v1/events?type=AUDIT_LOG_ACCESSED&limit=1000", ADMIN_KEY);
      for (JsonNode e : r.body().get("events")) {
        JsonNode m = e.get("metadata");
        if (m.get("resource").asText().equals("events.export")
            && m.get("filter").path("actor_id").asText().equals("bulk-5")) {
          found = m;
        }
      }
      Thread.sleep(100);
    }
    assertNotNull(found, "no events.export access record");
    assertEquals(expected, found.get("result_count").asInt());
    assertEquals("jsonl", found.get("filter").get("format").asText());
  }

  @Test
  void export_rejectsBadParameters() {
    Reply noFormat = node.get("/v1/events/export", ADMIN_KEY);
    assertEquals(400, noFormat.status());
    assertEquals("/format", noFormat.body().get("errors").get(0).get("pointer").asText());
    assertEquals(400, node.get("/v1/events/export?format=xml", ADMIN_KEY).status());
    assertEquals(400, node.get("/v1/events/export?format=csv&limit=5", ADMIN_KEY).status());
    Reply typo = node.get("/v1/events/export?format=csv&actorId=x", ADMIN_KEY);
    assertEquals(400, typo.status());
    assertEquals("application/problem+json", typo.contentType());
    assertEquals(401, node.get("/v1/events/export?format=csv", null).status());
  }

  @Test
  void stream_sendsNewMatchingEventsOnly() throws Exception {
    try (Sse sse = Sse.open("/v1/events/stream?actor_id=live-a", null)) {
      assertEquals(200, sse.status);
      assertEquals("ready", sse.next().type);
      node.post("/v1/events", ADMIN_KEY, node.loginEvent("live-b"));
      node.post("/v1/events", ADMIN_KEY, node.loginEvent("live-a"));
      Sse.Message m = sse.nextData();
      assertEquals("live-a", node.json.readTree(m.data).get("actor").get("id").asText());
      assertNotNull(node.json.readTree(m.data).get("leaf_hash"));
      assertTrue(Long.parseLong(m.id) > 0);
    }
  }

  @Test
  void stream_resumesFromLastEventIdWithoutGapsOrRepeats() throws Exception {
    String lastId;
    try (Sse sse = Sse.open("/v1/events/stream?actor_id=resume-me", null)) {
      node.post("/v1/events", ADMIN_KEY, node.loginEvent("resume-me"));
      lastId = sse.nextData().id;
    }
    // committed while no one listens
    ArrayNode missed = node.json.createArrayNode();
    for (int i = 0; i < 3; i++) {
      missed.add(node.loginEvent("resume-me").put("reason", "missed " + i));
    }
    node.post("/v1/events", ADMIN_KEY, missed);
    try (Sse sse = Sse.open("/v1/events/stream?actor_id=resume-me", lastId)) {
      List<String> reasons = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        reasons.add(node.json.readTree(sse.nextData().data).get("reason").asText());
      }
      assertEquals(List.of("missed 0", "missed 1", "missed 2"), reasons);
      node.post("/v1/events", ADMIN_KEY, node.loginEvent("resume-me").put("reason", "live"));
      assertEquals("live", node.json.readTree(sse.nextData().data).get("reason").asText());
    }
  }

  @Test
  void stream_showsNoOtherTenantsEvents() throws Exception {
    Reply t = node.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"other\",\"name\":\"Other\"}");
    assertEquals(201, t.status(), t.raw().body());
    String otherKey = t.body().get("api_key").asText();
    try (Sse sse = Sse.open("/v1/events/stream?actor_id=shared-name", null, otherKey)) {
      node.post("/v1/events", ADMIN_KEY, node.loginEvent("shared-name"));
      assertEquals(null, sse.nextData(Duration.ofSeconds(2)));
    }
  }

  @Test
  void stream_rejectsTimeParametersAndBadLastEventId() throws Exception {
    assertEquals(400, node.get("/v1/events/stream?from=2020-01-01T00:00:00Z", ADMIN_KEY).status());
    assertEquals(400, node.get("/v1/events/stream?nope=1", ADMIN_KEY).status());
    assertEquals(401, node.get("/v1/events/stream", null).status());
    try (Sse bad = Sse.open("/v1/events/stream", "not-a-position")) {
      assertEquals(400, bad.status);
    }
  }

  @Test
  void openStream_doesNotHoldUpAGracefulStop(@TempDir Path other) throws Exception {
    TestNode second = TestNode.start(other);
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(second.url("/v1/events/stream")))
            .header("Authorization", "Bearer " + ADMIN_KEY)
            .build();
    HttpResponse<java.io.InputStream> r = HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    long start = System.nanoTime();
    second.close();
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis < 10_000, "stop took " + millis + " ms with a stream open");
    r.body().close();
  }

  @Test
  void viewer_isServedWithStrictSecurityHeaders() {
    Reply r = node.get("/", null);
    assertEquals(200, r.status());
    assertTrue(r.contentType().startsWith("text/html"));
    String csp = r.header("content-security-policy");
    assertTrue(csp.contains("script-src 'self';"), csp);
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertFalse(csp.contains("unsafe-inline"), csp);
    assertEquals("nosniff", r.header("x-content-type-options"));
    assertEquals("no-referrer", r.header("referrer-policy"));
    assertFalse(r.raw().body().contains("<script>"), "no inline script");
    assertEquals(200, node.get("/viewer/app.js", null).status());
    assertTrue(node.get("/viewer/app.js", null).contentType().startsWith("text/javascript"));
    assertEquals(404, node.get("/viewer/../web/openapi.json", null).status());
    assertEquals(404, node.get("/viewer/missing.js", null).status());
    assertEquals(200, node.get("/webjars/chart.js/4.5.1/dist/chart.umd.min.js", null).status());
  }

  private static List<String> csvRecords(String body) {
    // records end in CRLF; a quoted field may hold a bare LF
    List<String> out = new ArrayList<>(List.of(body.split("\r\n")));
    return out;
  }

  /** A minimal SSE reader over the JDK client. */
  static final class Sse implements AutoCloseable {
    record Message(String type, String id, String data) {}

    final int status;
    private final BlockingQueue<Message> messages = new ArrayBlockingQueue<>(10_000);
    private final Thread reader;
    private final java.io.InputStream body;

    private Sse(HttpResponse<java.io.InputStream> r) {
      this.status = r.statusCode();
      this.body = r.body();
      this.reader = new Thread(this::read, "sse-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static Sse open(String path, String lastEventId) throws Exception {
      return open(path, lastEventId, ADMIN_KEY);
    }

    static Sse open(String path, String lastEventId, String key) throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(node.url(path)))
              .header("Authorization", "Bearer " + key);
      if (lastEventId != null) {
        b.header("Last-Event-ID", lastEventId);
      }
      return new Sse(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    private void read() {
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
        String type = "message";
        String id = null;
        StringBuilder data = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
          if (line.isEmpty()) {
            if (data.length() > 0 || id != null) {
              messages.add(new Message(type, id, data.toString()));
            }
            type = "message";
            id = null;
            data.setLength(0);
          } else if (line.startsWith("event: ")) {
            type = line.substring(7);
          } else if (line.startsWith("id: ")) {
            id = line.substring(4);
          } else if (line.startsWith("data: ")) {
            data.append(line.substring(6));
          }
        }
      } catch (java.io.IOException closed) {
        // closed by the test
      }
    }

    Message next() throws InterruptedException {
      Message m = messages.poll(10, TimeUnit.SECONDS);
      assertNotNull(m, "no SSE message within 10 s");
      return m;
    }

    Message nextData() throws InterruptedException {
      Message m = nextData(Duration.ofSeconds(10));
      assertNotNull(m, "no SSE event within 10 s");
      return m;
    }

    Message nextData(Duration wait) throws InterruptedException {
      long end = System.nanoTime() + wait.toNanos();
      while (true) {
        Message m = messages.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (m == null || m.type.equals("message")) {
          return m;
        }
      }
    }

    @Override
    public void close() throws Exception {
      body.close();
    }
  }
}
