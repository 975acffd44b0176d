package dev.vellum.http;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.testing.RawHttp;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestApiTest {
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

  private Reply ingest(Object body) {
    return node.post("/v1/events", ADMIN_KEY, body);
  }

  private static String pointerOf(JsonNode result) {
    return result.path("errors").path(0).path("pointer").asText();
  }

  @Test
  void acceptsOneEventAndReturnsSeqAndLeafHash() {
    Reply r = ingest(node.loginEvent("alice@example.com"));
    assertEquals(200, r.status(), r.raw().body());
    JsonNode res = r.body().get("results").get(0);
    assertEquals("accepted", res.get("status").asText());
    assertEquals(0, res.get("index").asInt());
    assertTrue(res.get("seq").asLong() >= 0);
    assertEquals(32, Base64.getDecoder().decode(res.get("leaf_hash").asText()).length);
    assertEquals(7, UUID.fromString(res.get("id").asText()).version());
  }

  @Test
  void mixedBatchKeepsValidEventsAndAnswers207() {
    ArrayNode batch = node.json.createArrayNode();
    batch.add(node.loginEvent("bob"));
    ObjectNode bad = node.loginEvent("carol");
    bad.put("type", "NO_SUCH_TYPE");
    batch.add(bad);
    batch.add(node.loginEvent("dave"));
    Reply r = ingest(batch);
    assertEquals(207, r.status(), r.raw().body());
    JsonNode results = r.body().get("results");
    assertEquals("accepted", results.get(0).get("status").asText());
    assertEquals("rejected", results.get(1).get("status").asText());
    assertEquals("/type", pointerOf(results.get(1)));
    assertEquals("accepted", results.get(2).get("status").asText());
    assertEquals(results.get(0).get("seq").asLong() + 1, results.get(2).get("seq").asLong());
  }

  @Test
  void allInvalidAnswers422() {
    ObjectNode bad = node.loginEvent("erin");
    bad.remove("occurred_at");
    Reply r = ingest(node.json.createArrayNode().add(bad));
    assertEquals(422, r.status());
    assertEquals("/occurred_at", pointerOf(r.body().get("results").get(0)));
  }

  @Test
  void retryWithSameIdIsDuplicateWithOriginalSeq() {
    ObjectNode e = node.loginEvent("frank");
    e.put("id", UUID.randomUUID().toString());
    JsonNode first = ingest(e).body().get("results").get(0);
    JsonNode again = ingest(e).body().get("results").get(0);
    assertEquals("accepted", first.get("status").asText());
    assertEquals("duplicate", again.get("status").asText());
    assertEquals(first.get("seq"), again.get("seq"));
    assertEquals(first.get("leaf_hash"), again.get("leaf_hash"));
  }

  @Test
  void sameIdWithinOneRequestIsDuplicateOfTheFirst() {
    ObjectNode e = node.loginEvent("gina");
    e.put("id", UUID.randomUUID().toString());
    Reply r = ingest(node.json.createArrayNode().add(e).add(e));
    JsonNode results = r.body().get("results");
    assertEquals("accepted", results.get(0).get("status").asText());
    assertEquals("duplicate", results.get(1).get("status").asText());
    assertEquals(results.get(0).get("seq"), results.get(1).get("seq"));
  }

  @Test
  void sameIdWithDifferentContentIsConflict() {
    ObjectNode e = node.loginEvent("hank");
    e.put("id", UUID.randomUUID().toString());
    ingest(e);
    e.with("actor").put("id", "someone-else");
    Reply r = ingest(e);
    assertEquals(422, r.status());
    JsonNode res = r.body().get("results").get(0);
    assertEquals("rejected", res.get("status").asText());
    assertEquals("/id", pointerOf(res));
    assertTrue(res.get("errors").get(0).get("detail").asText().contains("conflict"));
  }

  @Test
  void rejectsUnknownTopLevelField() {
    ObjectNode e = node.loginEvent("ivan");
    e.put("colour", "blue");
    Reply r = ingest(e);
    assertEquals(422, r.status());
    assertEquals("/colour", pointerOf(r.body().get("results").get(0)));
  }

  @Test
  void rejectsEventWithUnknownType() {
    ObjectNode e = node.loginEvent("jane");
    e.put("type", "TELEPORTED");
    assertEquals("/type", pointerOf(ingest(e).body().get("results").get(0)));
  }

  @Test
  void rejectsBadEnumerationInMetadataNamingThePointer() {
    ObjectNode e = node.loginEvent("kim");
    e.with("metadata").put("login_method", "TELEPATHY");
    Reply r = ingest(e);
    assertEquals(422, r.status());
    assertEquals("/metadata/login_method", pointerOf(r.body().get("results").get(0)));
  }

  @Test
  void rejectsMissingActorId() {
    ObjectNode e = node.loginEvent("lee");
    e.with("actor").remove("id");
    Reply r = ingest(e);
    assertEquals(422, r.status());
    assertEquals("/actor/id", pointerOf(r.body().get("results").get(0)));
  }

  @Test
  void rejectsOccurredAtTooFarInTheFuture() {
    ObjectNode e = node.loginEvent("mia");
    e.put("occurred_at", Instant.now().plusSeconds(600).toString());
    assertEquals("/occurred_at", pointerOf(ingest(e).body().get("results").get(0)));
  }

  @Test
  void rejectsNonUuidId() {
    ObjectNode e = node.loginEvent("ned");
    e.put("id", "not-a-uuid");
    assertEquals("/id", pointerOf(ingest(e).body().get("results").get(0)));
  }

  @Test
  void rejectsServerOnlyMembers() {
    ObjectNode e = node.loginEvent("ola");
    e.put("seq", 5);
    assertEquals("/seq", pointerOf(ingest(e).body().get("results").get(0)));
  }

  @Test
  void rejectsUnregisteredSource() {
    ObjectNode e = node.loginEvent("pia");
    e.put("source", "UNKNOWN_APP");
    Reply r = ingest(e);
    assertEquals(422, r.status());
    assertEquals("/source", pointerOf(r.body().get("results").get(0)));
  }

  @Test
  void rejectsReservedSystemSourceFromClients() {
    ObjectNode e = node.loginEvent("quinn");
    e.put("source", "VELLUM");
    assertEquals(403, ingest(e).status());
  }

  @Test
  void rejectsLoneSurrogateAloneNamingItsPointer() throws Exception {
    ObjectNode bad = node.loginEvent("placeholder");
    String text =
        "["
            + node.json.writeValueAsString(bad).replace("placeholder", "\\ud800")
            + ","
            + node.json.writeValueAsString(node.loginEvent("neighbour"))
            + "]";
    Reply r = ingest(text);
    assertEquals(207, r.status(), r.raw().body());
    assertEquals("/actor/id", pointerOf(r.body().get("results").get(0)));
    assertEquals("accepted", r.body().get("results").get(1).get("status").asText());
  }

  @Test
  void malformedJsonIs400WithLineAndColumn() {
    Reply r = ingest("{\n  \"type\": \"LOGIN_SUCCESSFUL\",,\n}");
    assertEquals(400, r.status());
    assertEquals("application/problem+json", r.contentType());
    assertTrue(r.body().get("detail").asText().contains("line 2"), r.body().toString());
    assertEquals("https://vellum.dev/problems/malformed-json", r.body().get("type").asText());
  }

  @Test
  void duplicateMemberNamesAreMalformed() {
    Reply r = ingest("{\"type\":\"A\",\"type\":\"B\"}");
    assertEquals(400, r.status());
  }

  @Test
  void wrongContentTypeIs415() {
    Reply r = node.send("POST", "/v1/events", ADMIN_KEY, "text/plain", "{}");
    assertEquals(415, r.status());
    assertEquals("application/problem+json", r.contentType());
  }

  @Test
  void tooManyEventsIs413() {
    ArrayNode batch = node.json.createArrayNode();
    for (int i = 0; i < 1001; i++) {
      batch.add(node.json.createObjectNode());
    }
    Reply r = ingest(batch);
    assertEquals(413, r.status());
    assertEquals("application/problem+json", r.contentType());
  }

  @Test
  void bodyOverFourMebibytesIs413() {
    byte[] big = ("[\"" + "x".repeat(5 << 20) + "\"]").getBytes(StandardCharsets.UTF_8);
    RawHttp.Response r =
        RawHttp.sendExpectingContinue(
            node.port(),
            "POST /v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + ADMIN_KEY
                + "\r\nContent-Type: application/json",
            big);
    assertEquals(413, r.status(), r.body());
    assertEquals("application/problem+json", r.header("content-type"));
  }

  @Test
  void eventOverOneMebibyteIsRejectedAlone() {
    ObjectNode huge = node.loginEvent("rob");
    huge.with("metadata").put("notes", "y".repeat((1 << 20) + 10));
    Reply r = ingest(node.json.createArrayNode().add(huge).add(node.loginEvent("sam")));
    assertEquals(207, r.status(), r.raw().body());
    assertEquals("rejected", r.body().get("results").get(0).get("status").asText());
    assertEquals("accepted", r.body().get("results").get(1).get("status").asText());
  }

  @Test
  void seqIsContiguousAcrossConcurrentRequests() throws Exception {
    int threads = 8;
    int perThread = 20;
    java.util.List<Long> seqs = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      pool.submit(
          () -> {
            for (int i = 0; i < perThread; i++) {
              Reply r = ingest(node.loginEvent("concurrent"));
              seqs.add(r.body().get("results").get(0).get("seq").asLong());
            }
          });
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS));
    java.util.List<Long> sorted = new java.util.ArrayList<>(seqs);
    java.util.Collections.sort(sorted);
    assertEquals(threads * perThread, sorted.size());
    for (int i = 1; i < sorted.size(); i++) {
      assertEquals(sorted.get(i - 1) + 1, sorted.get(i), "gap or repeat in seq");
    }
  }

  @Test
  void storedEventCarriesServerMembers() {
    ObjectNode e = node.loginEvent("tess");
    String id = ingest(e).body().get("results").get(0).get("id").asText();
    JsonNode stored = node.get("/v1/events/" + id, ADMIN_KEY).body();
    assertEquals("default", stored.get("tenant").asText());
    assertNotNull(stored.get("received_at"));
    assertNotNull(stored.get("seq"));
    assertEquals(1, stored.get("leaf_version").asInt());
    assertEquals("user_access", stored.get("category").asText());
  }
}
