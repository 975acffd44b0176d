package dev.vellum.rules;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.ingest.IngestService;
import dev.vellum.testing.Eventually;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Rules and alerts through the HTTP API of a real node. */
@Timeout(120)
class RulesApiTest {
  @TempDir Path dir;

  static final String BRUTE_FORCE =
      """
      {"name":"Brute force","severity":"warning","description":"5 failures in 5 minutes",
       "pattern":{"type":["LOGIN_FAILED"]},"group_by":["actor.id"],
       "threshold":{"count":5,"window_seconds":300},"suppress_seconds":600,
       "actions":{"notify":["ch_ops"],"derive":{"type":"MULTIPLE_LOGIN_FAILED"}}}
      """;

  static ObjectNode failedLogin(TestNode node, String actor, Instant at) {
    ObjectNode e = node.json.createObjectNode();
    e.put("occurred_at", at.truncatedTo(ChronoUnit.MILLIS).toString());
    e.put("source", "DEMO_APP");
    e.put("type", "LOGIN_FAILED");
    e.put("outcome", "failure");
    e.putObject("actor").put("type", "user").put("id", actor).put("ip", "203.0.113.9");
    e.putObject("metadata").put("login_failure_code", "INCORRECT_PASSWORD");
    return e;
  }

  static JsonNode send(TestNode node, ObjectNode... events) {
    ArrayNode batch = node.json.createArrayNode();
    for (ObjectNode e : events) {
      batch.add(e);
    }
    Reply r = node.post("/v1/events", ADMIN_KEY, batch);
    assertEquals(200, r.status(), r.raw().body());
    return r.body();
  }

  static <T> T eventually(String what, Supplier<T> probe) {
    return Eventually.eventually(what, probe);
  }

  /** The newest access records whose resource starts with {@code resource}. */
  static long accessRecords(TestNode node, String resource) {
    return eventsOfType(node, IngestService.ACCESS_EVENT_TYPE).stream()
        .filter(e -> e.path("metadata").path("resource").asText().startsWith(resource))
        .count();
  }

  static JsonNode alerts(TestNode node, String query) {
    Reply r = node.get("/v1/alerts" + query, ADMIN_KEY);
    assertEquals(200, r.status(), r.raw().body());
    return r.body().get("alerts");
  }

  static List<JsonNode> eventsOfType(TestNode node, String type) {
    Reply r = node.get("/v1/events?type=" + type + "&limit=100", ADMIN_KEY);
    assertEquals(200, r.status(), r.raw().body());
    List<JsonNode> out = new ArrayList<>();
    r.body().get("events").forEach(out::add);
    return out;
  }

  /**
   * Waits until every consumer (the rules engine, and the search index that the event queries read)
   * has handled everything committed, twice in a row: the engine's own events follow.
   */
  static void settle(TestNode node) {
    for (int round = 0; round < 2; round++) {
      eventually(
          "the consumers caught up",
          () -> {
            for (JsonNode c : node.get("/v1/admin/consumers", ADMIN_KEY).body().get("consumers")) {
              if (c.get("lag_events").asLong() != 0) {
                return null;
              }
            }
            return true;
          });
      try {
        Thread.sleep(150);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void createsReadsReplacesAndDeletesARuleAndRecordsEachChange() {
    try (TestNode node = TestNode.start(dir)) {
      Reply created = node.post("/v1/rules", ADMIN_KEY, BRUTE_FORCE);
      assertEquals(201, created.status(), created.raw().body());
      String id = created.body().get("id").asText();
      assertEquals(1, created.body().get("revision").asInt());
      assertEquals(200, node.get("/v1/rules/" + id, ADMIN_KEY).status());
      assertEquals(1, node.get("/v1/rules", ADMIN_KEY).body().get("rules").size());
      ObjectNode changed = (ObjectNode) created.body().deepCopy();
      changed.put("severity", "critical");
      Reply put = node.put("/v1/rules/" + id, ADMIN_KEY, changed);
      assertEquals(200, put.status(), put.raw().body());
      assertEquals("critical", put.body().get("severity").asText());
      assertEquals(2, put.body().get("revision").asInt());
      assertEquals(204, node.send("DELETE", "/v1/rules/" + id, ADMIN_KEY, null, null).status());
      assertEquals(404, node.get("/v1/rules/" + id, ADMIN_KEY).status());
      long changes =
          eventsOfType(node, "CONFIGURATION_CHANGED").stream()
              .filter(e -> e.path("metadata").path("component").asText().equals("rules"))
              .count();
      assertEquals(3, changes);
    }
  }

  @Test
  void rejectsRuleWithUnknownOperatorNamingThePointer() {
    try (TestNode node = TestNode.start(dir)) {
      Reply r =
          node.post(
              "/v1/rules",
              ADMIN_KEY,
              "{\"name\":\"x\",\"pattern\":{\"type\":[{\"starts-with\":\"LOGIN\"}]}}");
      assertEquals(422, r.status(), r.raw().body());
      assertEquals("application/problem+json", r.contentType());
      assertEquals(
          "/pattern/type/0/starts-with", r.body().get("errors").get(0).get("pointer").asText());
    }
  }

  @Test
  void rejectsRuleWithTwoWindowsAndBadChannelAndMissingName() {
    try (TestNode node = TestNode.start(dir)) {
      Reply r =
          node.post(
              "/v1/rules",
              ADMIN_KEY,
              "{\"pattern\":{\"type\":[\"A\"]},\"threshold\":{\"count\":2,\"window_seconds\":5},"
                  + "\"absence\":{\"window_seconds\":5},\"actions\":{\"notify\":[\"bad id!\"]}}");
      assertEquals(422, r.status(), r.raw().body());
      List<String> pointers = new ArrayList<>();
      r.body().get("errors").forEach(e -> pointers.add(e.get("pointer").asText()));
      assertTrue(pointers.contains("/name"), pointers.toString());
      assertTrue(pointers.contains("/absence"), pointers.toString());
      assertTrue(pointers.contains("/actions/notify/0"), pointers.toString());
    }
  }

  @Test
  void rejectsDerivedEventOfUnknownTypeOrMissingRequiredMetadata() {
    try (TestNode node = TestNode.start(dir)) {
      Reply unknown =
          node.post(
              "/v1/rules",
              ADMIN_KEY,
              "{\"name\":\"x\",\"pattern\":{\"type\":[\"A\"]},"
                  + "\"actions\":{\"derive\":{\"type\":\"NO_SUCH_TYPE\"}}}");
      assertEquals(422, unknown.status(), unknown.raw().body());
      assertEquals(
          "/actions/derive/type", unknown.body().get("errors").get(0).get("pointer").asText());
      Reply missing =
          node.post(
              "/v1/rules",
              ADMIN_KEY,
              "{\"name\":\"x\",\"pattern\":{\"type\":[\"A\"]},"
                  + "\"actions\":{\"derive\":{\"type\":\"BACKUP_FAILED\"}}}");
      assertEquals(422, missing.status(), missing.raw().body());
      assertTrue(
          missing
              .body()
              .get("errors")
              .get(0)
              .get("pointer")
              .asText()
              .startsWith("/actions/derive/metadata"),
          missing.raw().body());
    }
  }

  @Test
  void readKeyMayListButNotChangeRules() {
    try (TestNode node = TestNode.start(dir)) {
      String reader =
          node.post("/v1/keys", ADMIN_KEY, "{\"name\":\"r\",\"scopes\":[\"events:read\"]}")
              .body()
              .get("api_key")
              .asText();
      assertEquals(200, node.get("/v1/rules", reader).status());
      assertEquals(403, node.post("/v1/rules", reader, BRUTE_FORCE).status());
    }
  }

  @Test
  void bruteForceFiresOnceRecordsTheAlertAndDerivesMultipleLoginFailed() {
    try (TestNode node = TestNode.start(dir)) {
      String ruleId = node.post("/v1/rules", ADMIN_KEY, BRUTE_FORCE).body().get("id").asText();
      Instant t = Instant.now().minusSeconds(30);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 7; i++) { // the 6th and 7th fall in the suppression period
        JsonNode r = send(node, failedLogin(node, "mallory", t.plusSeconds(i)));
        ids.add(r.get("results").get(0).get("id").asText());
      }
      send(node, failedLogin(node, "alice", t)); // another group, below the threshold
      settle(node);
      JsonNode list = alerts(node, "?status=firing");
      assertEquals(1, list.size(), list.toString());
      JsonNode alert = list.get(0);
      assertEquals(ruleId, alert.get("rule_id").asText());
      assertEquals("mallory", alert.get("group").get("actor.id").asText());
      List<String> triggers = new ArrayList<>();
      alert.get("trigger_event_ids").forEach(x -> triggers.add(x.asText()));
      assertEquals(ids.subList(0, 5), triggers);
      List<JsonNode> fired = eventsOfType(node, "ALERT_FIRED");
      assertEquals(1, fired.size());
      JsonNode md = fired.get(0).get("metadata");
      assertEquals(alert.get("id").asText(), md.get("alert_id").asText());
      assertEquals("ch_ops", md.get("channels").get(0).asText());
      assertEquals("warning", fired.get(0).get("severity").asText());
      assertEquals("vellum-rules", fired.get(0).get("actor").get("id").asText());
      List<JsonNode> derived = eventsOfType(node, "MULTIPLE_LOGIN_FAILED");
      assertEquals(1, derived.size());
      assertEquals("mallory", derived.get(0).get("actor").get("id").asText());
      assertEquals(
          ids.get(4), derived.get(0).get("metadata").get("trigger_event_ids").get(4).asText());
      assertEquals(300, derived.get(0).get("metadata").get("window_seconds").asInt());
    }
  }

  @Test
  void restartMidWindowFiresExactlyOnce() {
    try (TestNode node = TestNode.start(dir)) {
      node.post("/v1/rules", ADMIN_KEY, BRUTE_FORCE);
      Instant t = Instant.now().minusSeconds(30);
      for (int i = 0; i < 4; i++) {
        send(node, failedLogin(node, "mallory", t.plusSeconds(i)));
      }
      settle(node);
      node.restart();
      send(node, failedLogin(node, "mallory", t.plusSeconds(4)));
      settle(node);
      assertEquals(1, alerts(node, "").size());
      node.restart(); // and a second restart replays nothing into a second alert
      send(node, failedLogin(node, "mallory", t.plusSeconds(5)));
      settle(node);
      assertEquals(1, alerts(node, "").size());
      assertEquals(1, eventsOfType(node, "ALERT_FIRED").size());
    }
  }

  @Test
  void absenceFiresWhenNothingMatchesWithinTheWindow() {
    try (TestNode node = TestNode.start(dir)) {
      Reply r =
          node.post(
              "/v1/rules",
              ADMIN_KEY,
              "{\"name\":\"Backup missing\",\"severity\":\"error\","
                  + "\"pattern\":{\"type\":[\"BACKUP_COMPLETED\"]},"
                  + "\"absence\":{\"window_seconds\":2},\"suppress_seconds\":3600}");
      assertEquals(201, r.status(), r.raw().body());
      JsonNode alert =
          eventually(
              "an absence alert",
              () -> {
                JsonNode a = alerts(node, "");
                return a.size() > 0 ? a.get(0) : null;
              });
      assertEquals(0, alert.get("trigger_event_ids").size());
      assertEquals(2, alert.get("window_seconds").asInt());
      settle(node);
      assertEquals("error", eventsOfType(node, "ALERT_FIRED").get(0).get("severity").asText());
    }
  }

  @Test
  void acknowledgingRecordsTheEventAndChangesTheStatus() {
    try (TestNode node = TestNode.start(dir)) {
      node.post(
          "/v1/rules",
          ADMIN_KEY,
          "{\"name\":\"Integrity\",\"pattern\":{\"type\":[\"LOGIN_FAILED\"]},\"suppress_seconds\":600}");
      send(node, failedLogin(node, "bob", Instant.now()));
      settle(node);
      String id = alerts(node, "").get(0).get("id").asText();
      Reply ack = node.post("/v1/alerts/" + id + "/ack", ADMIN_KEY, "{\"note\":\"on it\"}");
      assertEquals(200, ack.status(), ack.raw().body());
      assertEquals("acknowledged", ack.body().get("status").asText());
      assertEquals(1, alerts(node, "?status=acknowledged").size());
      assertEquals(0, alerts(node, "?status=firing").size());
      JsonNode ev = eventsOfType(node, "ALERT_ACKNOWLEDGED").get(0);
      assertEquals("on it", ev.get("metadata").get("note").asText());
      assertEquals(id, ev.get("metadata").get("alert_id").asText());
      assertEquals(404, node.post("/v1/alerts/alr_nope/ack", ADMIN_KEY, "{}").status());
      assertEquals(400, node.get("/v1/alerts?status=open", ADMIN_KEY).status());
      // a read's record is searchable within the index's refresh interval, not at the next read
      Eventually.until(
          "reading alerts is recorded as access", () -> accessRecords(node, "alerts.") >= 3);
    }
  }

  @Test
  void alertsPageWithACursor() {
    try (TestNode node = TestNode.start(dir)) {
      node.post(
          "/v1/rules",
          ADMIN_KEY,
          "{\"name\":\"Every failure\",\"pattern\":{\"type\":[\"LOGIN_FAILED\"]},\"group_by\":[\"actor.id\"]}");
      for (int i = 0; i < 5; i++) {
        send(node, failedLogin(node, "user" + i, Instant.now()));
      }
      settle(node);
      Reply first = node.get("/v1/alerts?limit=3", ADMIN_KEY);
      assertEquals(3, first.body().get("alerts").size());
      String cursor = first.body().get("next_cursor").asText();
      Reply second = node.get("/v1/alerts?limit=3&cursor=" + cursor, ADMIN_KEY);
      assertEquals(2, second.body().get("alerts").size(), second.raw().body());
      assertTrue(second.body().get("next_cursor").isNull());
    }
  }

  @Test
  void dryRunSaysWhatWouldFireWithoutStoringAlerts() {
    try (TestNode node = TestNode.start(dir)) {
      Instant t = Instant.now().minus(2, ChronoUnit.HOURS);
      for (int i = 0; i < 5; i++) {
        send(node, failedLogin(node, "mallory", t.plusSeconds(i)));
      }
      ObjectNode req = node.json.createObjectNode();
      try {
        req.set("rule", node.json.readTree(BRUTE_FORCE));
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
      req.put("from", t.minusSeconds(60).toString());
      req.put("to", Instant.now().toString());
      Reply r = node.post("/v1/rules/test", ADMIN_KEY, req);
      assertEquals(200, r.status(), r.raw().body());
      assertEquals(1, r.body().get("would_fire").asInt(), r.raw().body());
      assertEquals(5, r.body().get("events_read").asInt());
      assertEquals(5, r.body().get("alerts").get(0).get("trigger_event_ids").size());
      settle(node);
      assertEquals(0, alerts(node, "").size());
      assertEquals(0, eventsOfType(node, "MULTIPLE_LOGIN_FAILED").size());
      Eventually.until(
          "the dry run is recorded as access", () -> accessRecords(node, "rules.test") > 0);
      req.put("to", "yesterday");
      Reply bad = node.post("/v1/rules/test", ADMIN_KEY, req);
      assertEquals(422, bad.status());
      assertEquals("/to", bad.body().get("errors").get(0).get("pointer").asText());
    }
  }

  @Test
  void enablingThePackCreatesEditableRulesThatFire() {
    try (TestNode node = TestNode.start(dir)) {
      Reply r = node.post("/v1/rules/packs/baseline/enable", ADMIN_KEY, "");
      assertEquals(200, r.status(), r.raw().body());
      int created = r.body().get("created").size();
      assertEquals(16, created);
      assertEquals(
          0,
          node.post("/v1/rules/packs/baseline/enable", ADMIN_KEY, "").body().get("created").size());
      assertEquals(404, node.post("/v1/rules/packs/nope/enable", ADMIN_KEY, "").status());
      Instant t = Instant.now().minusSeconds(30);
      for (int i = 0; i < 5; i++) {
        send(node, failedLogin(node, "eve", t.plusSeconds(i)));
      }
      settle(node);
      JsonNode list = alerts(node, "");
      assertEquals(1, list.size(), list.toString());
      assertEquals("pack-baseline-brute-force-login", list.get(0).get("rule_id").asText());
      assertEquals(1, eventsOfType(node, "MULTIPLE_LOGIN_FAILED").size());
      // the derived event is itself not a login failure, and the engine's own events do not loop
      assertFalse(eventsOfType(node, "ALERT_FIRED").size() > 1);
    }
  }
}
