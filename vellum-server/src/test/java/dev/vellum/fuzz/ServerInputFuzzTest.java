package dev.vellum.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.app.Json;
import dev.vellum.core.json.CanonicalJson;
import dev.vellum.ingest.EventNormalizer;
import dev.vellum.ingest.EventTypeCatalog;
import dev.vellum.query.Cursor;
import dev.vellum.query.FilterParser;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteDirectoryStore;
import dev.vellum.testing.TestNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzz targets for the server's parsers of untrusted input. Inputs are raw bytes so that the seed
 * files under {@code src/test/resources/dev/vellum/fuzz/ServerInputFuzzTestInputs/<method>/} are
 * plain text. Plain {@code mvn verify} runs only the seeds (regression mode); {@code JAZZER_FUZZ=1}
 * fuzzes (see docs/testing.md).
 */
class ServerInputFuzzTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static Path dir;
  private static SqliteDatabase database;
  private static EventNormalizer normalizer;
  private static TestNode node;

  private static synchronized EventNormalizer normalizer() throws IOException {
    if (normalizer == null) {
      dir = Files.createTempDirectory("vellum-fuzz-");
      database = SqliteDatabase.open(dir.resolve("catalog"));
      EventTypeCatalog catalog = new EventTypeCatalog(new SqliteDirectoryStore(database),
          Json.mapper());
      normalizer = new EventNormalizer(catalog, Duration.ofMinutes(5));
    }
    return normalizer;
  }

  private static synchronized TestNode node() throws IOException {
    if (node == null) {
      node = TestNode.start(Files.createTempDirectory("vellum-fuzz-node-").resolve("data"));
    }
    return node;
  }

  @AfterAll
  static synchronized void close() {
    if (node != null) {
      node.close();
      node = null;
    }
    if (database != null) {
      database.close();
      database = null;
      normalizer = null;
    }
  }

  /**
   * The ingest body as the route reads it: strict JSON parse (JsonProcessingException is the
   * documented 400), one object or an array of them, then normalise and validate each against
   * the real catalogue over SQLite. An accepted event must be canonicalisable for its leaf hash.
   */
  @FuzzTest(maxDuration = "10m")
  void ingestPipeline(byte[] input) throws IOException {
    EventNormalizer n = normalizer();
    JsonNode body;
    try {
      body = Json.mapper().readTree(input);
    } catch (JsonProcessingException malformed) {
      return;
    }
    if (body == null || !(body.isObject() || body.isArray())) {
      return;
    }
    List<JsonNode> events = new ArrayList<>();
    if (body.isArray()) {
      body.forEach(events::add);
    } else {
      events.add(body);
    }
    for (JsonNode e : events) {
      EventNormalizer.Result r = n.prepare("default", e, NOW);
      if (r.ok()) {
        ObjectNode content = r.event().content();
        assertNotNull(content.get("id"));
        CanonicalJson.canonicalize(content);
      } else {
        assertTrue(!r.errors().isEmpty(), "rejected without a reason");
      }
    }
  }

  /** The same bytes over HTTP against a real node: a 2xx or a clean 4xx, never a 5xx. */
  @FuzzTest(maxDuration = "10m")
  void ingestOverHttp(byte[] input) throws IOException {
    TestNode t = node();
    TestNode.Reply r = t.send("POST", "/v1/events", TestNode.ADMIN_KEY, "application/json",
        new String(input, StandardCharsets.UTF_8));
    assertTrue(r.status() < 500, () -> r.status() + " " + r.raw().body());
  }

  /** Cursor decoding: IllegalArgumentException or a position; never anything else. */
  @FuzzTest(maxDuration = "5m")
  void cursorDecode(byte[] input) {
    String text = new String(input, StandardCharsets.ISO_8859_1);
    for (boolean asc : new boolean[] {true, false}) {
      try {
        assertNotNull(Cursor.decode(text, asc));
      } catch (IllegalArgumentException expected) {
        // documented
      }
    }
  }

  /** Query parameters of GET /v1/events: a filter or FilterParser.BadParameter. */
  @FuzzTest(maxDuration = "5m")
  void filterParser(byte[] input) {
    Map<String, List<String>> params = params(new String(input, StandardCharsets.UTF_8));
    try {
      assertNotNull(FilterParser.parse("default", params));
    } catch (FilterParser.BadParameter expected) {
      assertNotNull(expected.name());
    }
  }

  /** The query string over HTTP, so the filter also reaches SQL and FTS5: never a 5xx. */
  @FuzzTest(maxDuration = "10m")
  void searchOverHttp(byte[] input) throws IOException {
    TestNode t = node();
    StringBuilder query = new StringBuilder();
    for (Map.Entry<String, List<String>> p : params(new String(input, StandardCharsets.UTF_8))
        .entrySet()) {
      for (String v : p.getValue()) {
        query.append(query.length() == 0 ? "?" : "&")
            .append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8)).append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    }
    TestNode.Reply r = t.get("/v1/events" + query, TestNode.ADMIN_KEY);
    assertTrue(r.status() < 500, () -> r.status() + " for " + query + ": " + r.raw().body());
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
