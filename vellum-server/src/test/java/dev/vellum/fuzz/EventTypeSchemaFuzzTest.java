package dev.vellum.fuzz;

import static dev.vellum.fuzz.FuzzNode.assertStatusIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.event.FieldError;
import dev.vellum.core.json.StrictJson;
import dev.vellum.ingest.EventNormalizer;
import dev.vellum.ingest.EventTypeCatalog;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteDirectoryStore;
import dev.vellum.testing.TestNode;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzz targets for tenant event-type schemas ({@code PUT /v1/event-types/{type}}): a tenant
 * administrator's JSON Schema is compiled by the server and then runs on every event of that type,
 * so a hostile schema must be refused or stored, and a stored one must validate an event without
 * failing the request. Seeds are under {@code
 * src/test/resources/dev/vellum/fuzz/EventTypeSchemaFuzzTestInputs/<method>/}.
 */
class EventTypeSchemaFuzzTest {
  private static final String TYPE = "FUZZ_TYPE";
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final ObjectMapper JSON = StrictJson.mapper();

  /**
   * 400: not JSON; 413: over the body limit; 415: not UTF-8; 422: a schema the catalogue refuses.
   */
  private static final Set<Integer> PUT_STATUSES = Set.of(200, 201, 400, 413, 415, 422);

  /** An event of a stored type is accepted or rejected with reasons; nothing else. */
  private static final Set<Integer> INGEST_STATUSES = Set.of(200, 422);

  private static Path dir;
  private static SqliteDatabase database;
  private static EventTypeCatalog catalog;
  private static EventNormalizer normalizer;
  private static FuzzNode node;

  private static synchronized EventNormalizer normalizer() throws IOException {
    if (normalizer == null) {
      dir = Files.createTempDirectory("vellum-fuzz-schema-");
      database = SqliteDatabase.open(dir.resolve("catalog"));
      catalog = new EventTypeCatalog(new SqliteDirectoryStore(database), JSON);
      normalizer = new EventNormalizer(catalog, Duration.ofMinutes(5));
    }
    return normalizer;
  }

  private static synchronized TestNode node() {
    if (node == null) {
      node = FuzzNode.start("schema");
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

  /** A well-formed event of the fuzzed type, as a producer of that type would send it. */
  private static ObjectNode event(Instant occurredAt) {
    ObjectNode e = JSON.createObjectNode();
    e.put("occurred_at", occurredAt.toString());
    e.put("source", "DEMO_APP");
    e.put("type", TYPE);
    e.put("outcome", "success");
    e.putObject("actor").put("type", "user").put("id", "u-1").put("ip", "10.1.2.3");
    e.putObject("metadata").put("invoice", "INV-1").put("amount", 12.5);
    return e;
  }

  /**
   * The catalogue in process: {@link EventTypeCatalog#put} either lists the schema's problems or
   * stores it; a stored type is found again under its category and validates an event into an
   * accepted event or a list of errors. The strict JSON parse's documented rejections are those of
   * the route (see {@code ServerInputFuzzTest#ingestPipeline}).
   */
  @FuzzTest(maxDuration = "10m")
  void schemaCatalog(byte[] input) throws IOException {
    EventNormalizer n = normalizer();
    JsonNode schema;
    try {
      schema = JSON.readTree(input);
    } catch (JsonProcessingException | CharConversionException rejected) {
      return;
    }
    if (schema == null) {
      return;
    }
    List<FieldError> problems = catalog.put("default", TYPE, schema, 0);
    if (!problems.isEmpty()) {
      return;
    }
    EventTypeCatalog.TypeDef def =
        catalog
            .find("default", TYPE)
            .orElseThrow(() -> new AssertionError("stored type is not found again"));
    assertEquals(schema.path("x-vellum-category").asText(), def.category());
    EventNormalizer.Result r = n.prepare("default", event(NOW.minusSeconds(60)), NOW);
    assertTrue(r.ok() || !r.errors().isEmpty(), "rejected without a reason");
  }

  /**
   * The schema as {@code PUT /v1/event-types/FUZZ_TYPE} to a real node, then, when it was stored,
   * one event of that type: only documented statuses, so never a 5xx from compiling a schema or
   * from running it on an event.
   */
  @FuzzTest(maxDuration = "30m")
  void schemaOverHttp(byte[] input) {
    TestNode t = node();
    TestNode.Reply put =
        t.send(
            "PUT",
            "/v1/event-types/" + TYPE,
            TestNode.ADMIN_KEY,
            "application/json",
            new String(input, StandardCharsets.UTF_8));
    assertStatusIn(PUT_STATUSES, put, "PUT /v1/event-types/" + TYPE);
    if (put.status() == 200 || put.status() == 201) {
      ObjectNode e =
          event(Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
      TestNode.Reply ingest = t.post("/v1/events", TestNode.ADMIN_KEY, e);
      assertStatusIn(
          INGEST_STATUSES,
          ingest,
          "POST /v1/events of " + TYPE + " after PUT " + new String(input, StandardCharsets.UTF_8));
    }
  }
}
