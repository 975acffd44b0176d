package dev.vellum.http;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every filter of GET /v1/events against a known set of events. */
class QueryApiTest {
  @TempDir static Path dir;
  static TestNode node;
  static final Instant BASE = Instant.now().minus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS);

  @BeforeAll
  static void start() {
    node = TestNode.start(dir);
    node.put("/v1/sources/BILLING", ADMIN_KEY, "{\"name\":\"Billing\"}");
    ArrayNode batch = node.json.createArrayNode();
    for (int i = 0; i < 30; i++) {
      ObjectNode e = node.loginEvent("user" + (i % 3));
      e.put("occurred_at", BASE.plus(i, ChronoUnit.MINUTES).toString());
      e.with("actor").put("ip", "10.0.0." + (i % 5));
      e.put("session_id", "sess-" + (i % 2));
      if (i % 10 == 0) {
        e.put("type", "LOGIN_FAILED");
        e.put("outcome", "failure");
        e.put("severity", "warning");
        e.with("metadata").put("login_failure_code", "INCORRECT_PASSWORD");
      }
      e.putArray("tags").add(i % 2 == 0 ? "even" : "odd");
      e.putArray("targets")
          .addObject()
          .put("type", "document")
          .put("id", "doc-" + (i % 4))
          .put("name", "Quarterly report " + i);
      e.put("reason", i == 7 ? "suspicious kangaroo activity" : "routine");
      if (i >= 25) {
        e.put("source", "BILLING");
      }
      batch.add(e);
    }
    Reply r = node.post("/v1/events", ADMIN_KEY, batch);
    assertEquals(200, r.status(), r.raw().body());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String q(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }

  private List<JsonNode> search(String query) {
    Reply r = node.get("/v1/events?limit=1000&" + query + "&from=" + q(BASE.toString()), ADMIN_KEY);
    assertEquals(200, r.status(), r.raw().body());
    List<JsonNode> out = new ArrayList<>();
    r.body()
        .get("events")
        .forEach(
            e -> {
              if (!e.get("type").asText().equals("AUDIT_LOG_ACCESSED")
                  && !e.get("actor").get("id").asText().equals("late-arrival")) {
                out.add(e);
              }
            });
    return out;
  }

  @Test
  void filtersByActor() {
    List<JsonNode> events = search("actor_id=user1");
    assertEquals(10, events.size());
    events.forEach(e -> assertEquals("user1", e.get("actor").get("id").asText()));
  }

  @Test
  void filtersByTimeRange() {
    String to = BASE.plus(10, ChronoUnit.MINUTES).toString();
    assertEquals(10, search("to=" + q(to)).size());
  }

  @Test
  void filtersByRepeatedType() {
    assertEquals(3, search("type=LOGIN_FAILED").size());
    assertEquals(30, search("type=LOGIN_FAILED&type=LOGIN_SUCCESSFUL").size());
  }

  @Test
  void filtersByCategorySourceOutcomeSeverity() {
    assertEquals(30, search("category=user_access").size());
    assertEquals(5, search("source=BILLING").size());
    assertEquals(3, search("outcome=failure").size());
    assertEquals(3, search("severity=warning").size());
  }

  @Test
  void filtersByActorIpSessionAndTag() {
    assertEquals(6, search("actor_ip=10.0.0.4").size());
    assertEquals(15, search("session_id=sess-1").size());
    assertEquals(15, search("tag=even").size());
  }

  @Test
  void filtersByTarget() {
    List<JsonNode> events = search("target_type=document&target_id=doc-2");
    assertEquals(7, events.size());
    assertEquals(0, search("target_type=user&target_id=doc-2").size());
  }

  @Test
  void fullTextFindsWordsInAnyTextField() {
    List<JsonNode> events = search("q=kangaroo");
    assertEquals(1, events.size());
    assertEquals(30, search("q=quarterly").size());
    // every word must match; the last one as a prefix ("activ" finds "activity")
    assertEquals(1, search("q=" + q("Suspicious KANGAROO activ")).size());
    assertEquals(0, search("q=" + q("kangaroo quarterly routine")).size());
  }

  @Test
  void fullTextTreatsOperatorsLiterally() {
    assertEquals(0, search("q=" + q("\"NEAR( OR * -")).size());
  }

  @Test
  void ordersDescendingByDefaultAndAscendingOnRequest() {
    List<JsonNode> desc = search("actor_id=user0");
    List<JsonNode> asc = search("actor_id=user0&order=asc");
    assertTrue(
        desc.get(0)
                .get("occurred_at")
                .asText()
                .compareTo(desc.get(desc.size() - 1).get("occurred_at").asText())
            > 0);
    assertEquals(desc.get(0).get("id"), asc.get(asc.size() - 1).get("id"));
  }

  @Test
  void cursorPagesCoverEverythingOnceEvenWhileEventsArrive() {
    Set<String> seen = new HashSet<>();
    int original = 0;
    String cursor = null;
    int pages = 0;
    do {
      String path =
          "/v1/events?limit=7&type=LOGIN_SUCCESSFUL&type=LOGIN_FAILED&from="
              + q(BASE.toString())
              + (cursor == null ? "" : "&cursor=" + cursor);
      Reply r = node.get(path, ADMIN_KEY);
      assertEquals(200, r.status(), r.raw().body());
      for (JsonNode e : r.body().get("events")) {
        assertTrue(seen.add(e.get("id").asText()), "event returned twice");
        if (!e.get("actor").get("id").asText().equals("late-arrival")) {
          original++;
        }
      }
      // a newer event arriving between pages must not shift the next page
      node.post("/v1/events", ADMIN_KEY, node.loginEvent("late-arrival"));
      JsonNode next = r.body().get("next_cursor");
      cursor = next.isNull() ? null : next.asText();
      pages++;
    } while (cursor != null && pages < 20);
    assertEquals(30, original);
  }

  @Test
  void getsOneEventById() {
    JsonNode first = search("actor_id=user2").get(0);
    Reply r = node.get("/v1/events/" + first.get("id").asText(), ADMIN_KEY);
    assertEquals(200, r.status());
    assertEquals(first, r.body());
  }

  @Test
  void unknownIdIs404Problem() {
    Reply r = node.get("/v1/events/0190a0a0-0000-7000-8000-000000000000", ADMIN_KEY);
    assertEquals(404, r.status());
    assertEquals("application/problem+json", r.contentType());
  }

  @Test
  void rejectsUnknownParameterNamingIt() {
    Reply r = node.get("/v1/events?actorId=x", ADMIN_KEY);
    assertEquals(400, r.status());
    assertEquals("/actorId", r.body().get("errors").get(0).get("pointer").asText());
  }

  @Test
  void rejectsMalformedCursorLimitAndTime() {
    assertEquals(400, node.get("/v1/events?cursor=garbage!!", ADMIN_KEY).status());
    assertEquals(400, node.get("/v1/events?limit=1001", ADMIN_KEY).status());
    assertEquals(400, node.get("/v1/events?from=yesterday", ADMIN_KEY).status());
    assertEquals(400, node.get("/v1/events?target_type=document", ADMIN_KEY).status());
  }

  @Test
  void statsCountPerBucketAndGroup() {
    String path =
        "/v1/events/stats?interval=10m&group_by=type&from="
            + q(BASE.toString())
            + "&to="
            + q(BASE.plus(30, ChronoUnit.MINUTES).toString());
    Reply r = node.get(path, ADMIN_KEY);
    assertEquals(200, r.status(), r.raw().body());
    JsonNode buckets = r.body().get("buckets");
    assertEquals(3, buckets.size());
    for (JsonNode b : buckets) {
      assertEquals(10, b.get("total").asLong());
      assertEquals(1, b.get("counts").get("LOGIN_FAILED").asLong());
    }
    assertEquals(30, r.body().get("total").asLong());
  }

  @Test
  void statsRejectsBadGroupAndInterval() {
    assertEquals(400, node.get("/v1/events/stats?group_by=actor", ADMIN_KEY).status());
    assertEquals(400, node.get("/v1/events/stats?interval=0h", ADMIN_KEY).status());
  }

  @Test
  void everyReadIsRecordedAsAuditLogAccessed() throws InterruptedException {
    node.get("/v1/events?actor_id=user-audited-marker", ADMIN_KEY);
    // the record is written with the writer's next commit, not before the read's answer
    boolean found = false;
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (!found && System.nanoTime() < deadline) {
      Reply r = node.get("/v1/events?type=AUDIT_LOG_ACCESSED&limit=1000", ADMIN_KEY);
      for (JsonNode e : r.body().get("events")) {
        JsonNode meta = e.get("metadata");
        if ("user-audited-marker".equals(meta.path("filter").path("actor_id").asText())) {
          found = true;
          assertEquals("VELLUM", e.get("source").asText());
          assertEquals(0, meta.get("result_count").asInt());
          assertFalse(meta.get("key_id").asText().isEmpty());
        }
      }
      Thread.sleep(found ? 0 : 50);
    }
    assertTrue(found, "no AUDIT_LOG_ACCESSED record for the query");
  }
}
