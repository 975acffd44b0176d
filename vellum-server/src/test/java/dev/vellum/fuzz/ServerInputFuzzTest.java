package dev.vellum.fuzz;

import static dev.vellum.fuzz.FuzzNode.assertStatusIn;
import static dev.vellum.fuzz.FuzzNode.params;
import static dev.vellum.fuzz.FuzzNode.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.json.CanonicalJson;
import dev.vellum.core.json.StrictJson;
import dev.vellum.core.merkle.TilePath;
import dev.vellum.ingest.EventNormalizer;
import dev.vellum.ingest.EventTypeCatalog;
import dev.vellum.query.Cursor;
import dev.vellum.query.FilterParser;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteDirectoryStore;
import dev.vellum.testing.TestNode;
import java.io.CharConversionException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzz targets for the server's parsers of untrusted input on the write path and the read path.
 * Inputs are raw bytes so that the seed files under {@code
 * src/test/resources/dev/vellum/fuzz/ServerInputFuzzTestInputs/<method>/} are plain text. Plain
 * {@code mvn verify} runs only the seeds (regression mode); {@code JAZZER_FUZZ=1} fuzzes (see
 * docs/testing.md). Each target names the only outcomes its input may have: an exception or HTTP
 * status outside that list is a finding.
 */
class ServerInputFuzzTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  /** One strict mapper, as the node builds once: building one per input halved the speed. */
  private static final ObjectMapper JSON = StrictJson.mapper();

  /**
   * 403: every event names a source the key may not write, such as the server's own VELLUM (found
   * by the campaign; documented in IngestRoutes). 415: BodyReader refuses a body that looks like
   * UTF-16 or UTF-32 (a zero byte early on).
   */
  private static final Set<Integer> INGEST_STATUSES = Set.of(200, 207, 400, 403, 413, 415, 422);

  private static final Set<Integer> BATCH_STATUSES = Set.of(200, 400, 413, 415);

  /** 414: a fuzzed query string can exceed Jetty's request-line limit once percent-encoded. */
  private static final Set<Integer> QUERY_STATUSES = Set.of(200, 400, 414);

  /** 400: Jetty refuses ambiguous paths (encoded '/', '..' segments) before routing. */
  private static final Set<Integer> TILE_STATUSES = Set.of(200, 400, 404);

  /** Events of the log the read-path targets run against: one full level-0 tile and a part. */
  private static final int LOG_EVENTS = 300;

  private static Path dir;
  private static SqliteDatabase database;
  private static EventNormalizer normalizer;
  private static FuzzNode node;

  private static synchronized EventNormalizer normalizer() throws IOException {
    if (normalizer == null) {
      dir = Files.createTempDirectory("vellum-fuzz-");
      database = SqliteDatabase.open(dir.resolve("catalog"));
      EventTypeCatalog catalog = new EventTypeCatalog(new SqliteDirectoryStore(database), JSON);
      normalizer = new EventNormalizer(catalog, Duration.ofMinutes(5));
    }
    return normalizer;
  }

  /** A node whose log holds {@link #LOG_EVENTS} events, so tiles and cursors reach stored data. */
  private static synchronized TestNode node() {
    if (node == null) {
      node = FuzzNode.start("server");
      TestNode t = node.node();
      List<JsonNode> events = new ArrayList<>();
      for (int i = 0; i < LOG_EVENTS; i++) {
        events.add(t.loginEvent("u-" + i));
      }
      TestNode.Reply r = t.post("/v1/events", TestNode.ADMIN_KEY, events);
      assertEquals(200, r.status(), r.raw().body());
    }
    return node.node();
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
   * The ingest body as the route reads it: strict JSON parse, one object or an array of them, then
   * normalise and validate each against the real catalogue over SQLite. An accepted event must be
   * canonicalisable for its leaf hash. The documented rejections of the parse are the route's two
   * 400s: {@link JsonProcessingException} (malformed JSON) and {@link CharConversionException}
   * (bytes that Jackson's encoding detection takes for UTF-32 but are not valid UTF-32; the route
   * answers "cannot read request body").
   */
  @FuzzTest(maxDuration = "10m")
  void ingestPipeline(byte[] input) throws IOException {
    EventNormalizer n = normalizer();
    JsonNode body;
    try {
      body = JSON.readTree(input);
    } catch (JsonProcessingException | CharConversionException rejected) {
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

  /** The same bytes as {@code POST /v1/events} to a real node: only the documented statuses. */
  @FuzzTest(maxDuration = "30m")
  void ingestOverHttp(byte[] input) {
    TestNode.Reply r =
        node()
            .send(
                "POST",
                "/v1/events",
                TestNode.ADMIN_KEY,
                "application/json",
                new String(input, StandardCharsets.UTF_8));
    assertStatusIn(INGEST_STATUSES, r, "POST /v1/events");
  }

  /**
   * A reference-format batch ({@code {"records": [...]}}) as {@code POST /v1/audit/store-batch}:
   * 200 with a per-record answer, or 400/413 for the batch as a whole. A 200 answers every record,
   * and FailedPutCount counts the records answered with an error.
   */
  @FuzzTest(maxDuration = "30m")
  void storeBatchOverHttp(byte[] input) {
    TestNode.Reply r =
        node()
            .send(
                "POST",
                "/v1/audit/store-batch",
                TestNode.ADMIN_KEY,
                "application/json",
                new String(input, StandardCharsets.UTF_8));
    assertStatusIn(BATCH_STATUSES, r, "POST /v1/audit/store-batch");
    if (r.status() == 200) {
      JsonNode answers = r.body().get("RequestResponses");
      int failed = 0;
      for (JsonNode a : answers) {
        assertTrue(a.has("RecordId") != a.has("ErrorCode"), a::toString);
        failed += a.has("ErrorCode") ? 1 : 0;
      }
      assertEquals(failed, r.body().get("FailedPutCount").asInt(), r.raw().body());
    }
  }

  /** Cursor decoding: IllegalArgumentException or a position; never anything else. */
  @FuzzTest(maxDuration = "10m")
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

  /**
   * A cursor over HTTP, so that any position a client can write reaches the keyset SQL. The input
   * is the cursor's decoded text ({@code c1:a:<micros>:<seq>}), base64url-encoded here: fuzzing the
   * base64 itself would spend nearly every input on malformed text. The first byte picks the sort
   * order. A 200 or a 400; never a 5xx.
   */
  @FuzzTest(maxDuration = "30m")
  void cursorOverHttp(byte[] input) {
    String order = input.length > 0 && (input[0] & 1) == 1 ? "asc" : "desc";
    byte[] text = input.length > 0 ? Arrays.copyOfRange(input, 1, input.length) : input;
    String cursor = Base64.getUrlEncoder().withoutPadding().encodeToString(text);
    String path = "/v1/events?limit=5&order=" + order + "&cursor=" + cursor;
    TestNode.Reply r = node().get(path, TestNode.ADMIN_KEY);
    assertStatusIn(QUERY_STATUSES, r, "GET " + path);
  }

  /** Query parameters of GET /v1/events: a filter or FilterParser.BadParameter. */
  @FuzzTest(maxDuration = "10m")
  void filterParser(byte[] input) {
    try {
      assertNotNull(
          FilterParser.parse("default", params(new String(input, StandardCharsets.UTF_8))));
    } catch (FilterParser.BadParameter expected) {
      assertNotNull(expected.name());
    }
  }

  /** The query string over HTTP, so the filter also reaches the search index: 200 or 400. */
  @FuzzTest(maxDuration = "30m")
  void searchOverHttp(byte[] input) {
    String query = query(params(new String(input, StandardCharsets.UTF_8)));
    TestNode.Reply r = node().get("/v1/events" + query, TestNode.ADMIN_KEY);
    assertStatusIn(QUERY_STATUSES, r, "GET /v1/events" + query);
  }

  /**
   * Anything after {@code /v1/log/tile/} as a tile request: 200 only when the path the server
   * routes (percent-decoded, dot segments removed, as Jetty does before routing) is a canonical
   * tile path, the one spelling {@link TilePath} prints; else 404, or Jetty's 400 for an ambiguous
   * path. Bytes outside the unreserved set are percent-encoded so that every input is a valid URI.
   */
  @FuzzTest(maxDuration = "30m")
  void tileOverHttp(byte[] input) {
    StringBuilder rest = new StringBuilder();
    for (byte b : input) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '/'
          || c == '.'
          || c == '-'
          || c == '_'
          || c == '~') {
        rest.append(c);
      } else {
        rest.append('%').append(String.format("%02X", (int) c));
      }
    }
    String path = "/v1/log/tile/" + rest;
    TestNode.Reply r = node().get(path, TestNode.ADMIN_KEY);
    assertStatusIn(TILE_STATUSES, r, "GET " + path);
    if (r.status() == 200) {
      String routed = URI.create(path).normalize().getPath().substring("/v1/log/".length());
      assertEquals(routed, TilePath.parse(routed).toString(), "served a non-canonical tile path");
    }
  }
}
