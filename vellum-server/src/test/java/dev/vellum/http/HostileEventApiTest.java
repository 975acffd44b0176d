package dev.vellum.http;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Events built to hurt the server: over-long identifiers, impossible times, schemas that reference
 * nothing. Each is refused on its own with a 422 naming its JSON pointer, and its valid neighbour
 * is still stored.
 */
class HostileEventApiTest {
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

  /** Sends {@code bad} between two valid events; returns the bad event's result. */
  private static JsonNode sendBetweenValidNeighbours(ObjectNode bad) {
    ArrayNode batch = node.json.createArrayNode();
    batch.add(node.loginEvent("before"));
    batch.add(bad);
    batch.add(node.loginEvent("after"));
    Reply r = node.post("/v1/events", ADMIN_KEY, batch);
    assertEquals(
        207,
        r.status(),
        () -> r.raw().body().substring(0, Math.min(2000, r.raw().body().length())));
    JsonNode results = r.body().get("results");
    assertEquals("accepted", results.get(0).get("status").asText());
    assertEquals("accepted", results.get(2).get("status").asText());
    assertEquals("rejected", results.get(1).get("status").asText());
    return results.get(1);
  }

  private static String x(int n) {
    return "X".repeat(n);
  }

  static Stream<Arguments> overLongIdentifiers() {
    return Stream.of(
        Arguments.of("/type", (Consumer<ObjectNode>) e -> e.put("type", x(500_000))),
        Arguments.of("/source", (Consumer<ObjectNode>) e -> e.put("source", x(129))),
        Arguments.of("/category", (Consumer<ObjectNode>) e -> e.put("category", "a" + x(64))),
        Arguments.of("/session_id", (Consumer<ObjectNode>) e -> e.put("session_id", x(257))),
        Arguments.of("/request_id", (Consumer<ObjectNode>) e -> e.put("request_id", x(257))),
        Arguments.of(
            "/related_event_id", (Consumer<ObjectNode>) e -> e.put("related_event_id", x(257))),
        Arguments.of("/id", (Consumer<ObjectNode>) e -> e.put("id", x(257))),
        Arguments.of(
            "/actor/id",
            (Consumer<ObjectNode>) e -> ((ObjectNode) e.get("actor")).put("id", x(257))),
        Arguments.of(
            "/targets/0/id",
            (Consumer<ObjectNode>)
                e -> e.putArray("targets").addObject().put("type", "user").put("id", x(257))),
        Arguments.of(
            "/targets",
            (Consumer<ObjectNode>)
                e -> {
                  ArrayNode t = e.putArray("targets");
                  for (int i = 0; i < 101; i++) {
                    t.addObject().put("type", "user").put("id", "u" + i);
                  }
                }),
        Arguments.of(
            "/tags/1", (Consumer<ObjectNode>) e -> e.putArray("tags").add("ok").add(x(129))),
        Arguments.of(
            "/tags",
            (Consumer<ObjectNode>)
                e -> {
                  ArrayNode t = e.putArray("tags");
                  for (int i = 0; i < 51; i++) {
                    t.add("t" + i);
                  }
                }),
        Arguments.of(
            "/metadata/nested",
            (Consumer<ObjectNode>)
                e -> ((ObjectNode) e.get("metadata")).putObject("nested").put(x(129), 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overLongIdentifiers")
  void identifierOverItsLimitIsRejectedAloneNamingItsPointer(
      String pointer, Consumer<ObjectNode> spoil) {
    ObjectNode bad = node.loginEvent("victim");
    spoil.accept(bad);
    JsonNode result = sendBetweenValidNeighbours(bad);
    assertEquals(pointer, result.get("errors").get(0).get("pointer").asText(), result.toString());
    // the answer names the limit but never echoes the hostile value back
    assertTrue(result.toString().length() < 2_000, "answer of " + result.toString().length());
  }

  @Test
  void manyRequestsWithUniqueUnknownTypesAreAllRefusedAndTheServerStaysHealthy() {
    // the finding: unique type names filled an unbounded negative cache until OutOfMemoryError
    for (int r = 0; r < 40; r++) {
      ArrayNode batch = node.json.createArrayNode();
      for (int i = 0; i < 4; i++) {
        batch.add(node.loginEvent("u").put("type", "UNKNOWN_" + r + "_" + i + "_" + x(100)));
      }
      Reply reply = node.post("/v1/events", ADMIN_KEY, batch);
      assertEquals(422, reply.status());
      assertEquals("/type", reply.body().at("/results/3/errors/0/pointer").asText());
    }
    assertEquals(200, node.post("/v1/events", ADMIN_KEY, node.loginEvent("still-ok")).status());
    assertEquals(200, node.get("/health/ready", null).status());
  }

  @Test
  void occurredAtInYearMinus300000IsRejectedAloneWithItsPointer() {
    ObjectNode bad = node.loginEvent("ancient").put("occurred_at", "-300000-01-01T00:00:00Z");
    JsonNode result = sendBetweenValidNeighbours(bad);
    assertEquals("/occurred_at", result.at("/errors/0/pointer").asText());
    assertTrue(result.at("/errors/0/detail").asText().contains("0001-01-01T00:00:00Z"));
  }

  @Test
  void occurredAtAfterYear9999IsRejectedAloneWithItsPointer() {
    ObjectNode bad = node.loginEvent("future").put("occurred_at", "+10000-01-01T00:00:00Z");
    assertEquals("/occurred_at", sendBetweenValidNeighbours(bad).at("/errors/0/pointer").asText());
  }

  @Test
  void schemaReferencingAnUnknownBuiltInTypeIs422NamingThePointer() {
    String schema =
        "{\"x-vellum-category\":\"x\",\"allOf\":[{\"$ref\":"
            + "\"https://schemas.vellum.dev/types/NO_SUCH_TYPE.json\"}]}";
    Reply r = node.put("/v1/event-types/REF_TO_NOTHING", ADMIN_KEY, schema);
    assertEquals(422, r.status(), r.raw().body());
    assertEquals("application/problem+json", r.contentType());
    assertEquals("https://vellum.dev/problems/validation", r.body().get("type").asText());
    assertEquals("/allOf/0/$ref", r.body().at("/errors/0/pointer").asText());
    assertEquals(404, node.get("/v1/event-types/REF_TO_NOTHING", ADMIN_KEY).status());
  }

  @Test
  void schemaReferencingABuiltInTypeIsAccepted() {
    String schema =
        "{\"x-vellum-category\":\"user_access\",\"allOf\":[{\"$ref\":"
            + "\"https://schemas.vellum.dev/types/LOGIN_SUCCESSFUL.json\"}],"
            + "\"properties\":{\"type\":true}}";
    Reply r = node.put("/v1/event-types/LOGIN_SUCCESSFUL_V2", ADMIN_KEY, schema);
    assertEquals(201, r.status(), r.raw().body());
  }

  @Test
  void schemaWhoseReferencesFormACycleIs422NamingTheReference() {
    // the EventTypeSchemaFuzzTest finding: stored with 201, then every event of the type
    // overflowed networknt's stack and was answered 500
    String schema =
        "{\"x-vellum-category\":\"x\",\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},"
            + "\"b\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}";
    Reply r = node.put("/v1/event-types/CYCLIC_TYPE", ADMIN_KEY, schema);
    assertEquals(422, r.status(), r.raw().body());
    assertTrue(r.body().at("/errors/0/pointer").asText().endsWith("/$ref"), r.raw().body());
    assertEquals(404, node.get("/v1/event-types/CYCLIC_TYPE", ADMIN_KEY).status());
  }
}
