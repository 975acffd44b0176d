package dev.vellum.analytics;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saved queries, the analytics:read scope, CSV answers and the access events of queries. */
class SavedQueriesApiTest {
  @TempDir static Path dir;
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(dir);
    for (int i = 0; i < 5; i++) {
      assertEquals(200, node.post("/v1/events", ADMIN_KEY, node.loginEvent("s" + i)).status());
    }
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void savedQueryIsCreatedListedRunAndDeleted() {
    Reply created =
        node.post(
            "/v1/analytics/queries",
            ADMIN_KEY,
            "{\"name\":\"logins by actor\",\"sql\":\"SELECT actor_id, count(*) AS n FROM events"
                + " WHERE type = 'LOGIN_SUCCESSFUL' GROUP BY 1 ORDER BY 1\"}");
    assertEquals(201, created.status(), created.raw().body());
    String id = created.body().get("id").asText();
    assertEquals("/v1/analytics/queries/" + id, created.header("Location"));

    Reply list = node.get("/v1/analytics/queries", ADMIN_KEY);
    assertEquals(200, list.status());
    assertTrue(list.raw().body().contains(id), list.raw().body());
    assertEquals(
        "logins by actor",
        node.get("/v1/analytics/queries/" + id, ADMIN_KEY).body().get("name").asText());

    Reply run = node.post("/v1/analytics/queries/" + id + "/run", ADMIN_KEY, "{}");
    assertEquals(200, run.status(), run.raw().body());
    assertEquals(5, run.body().get("rows").size());
    assertEquals("n", run.body().get("columns").get(1).get("name").asText());

    assertEquals(
        204, node.send("DELETE", "/v1/analytics/queries/" + id, ADMIN_KEY, null, null).status());
    assertEquals(404, node.get("/v1/analytics/queries/" + id, ADMIN_KEY).status());
    assertEquals(404, node.post("/v1/analytics/queries/" + id + "/run", ADMIN_KEY, "{}").status());
  }

  @Test
  void savingARefusedQueryIsA400() {
    Reply r =
        node.post(
            "/v1/analytics/queries",
            ADMIN_KEY,
            "{\"name\":\"evil\",\"sql\":\"SELECT * FROM read_csv('/etc/passwd')\"}");
    assertEquals(400, r.status(), r.raw().body());
    assertEquals("/sql", r.body().get("errors").get(0).get("pointer").asText());
  }

  @Test
  void savingWithoutANameIsA422NamingTheField() {
    Reply r = node.post("/v1/analytics/queries", ADMIN_KEY, "{\"sql\":\"SELECT 1\"}");
    assertEquals(422, r.status(), r.raw().body());
    assertEquals("/name", r.body().get("errors").get(0).get("pointer").asText());
  }

  @Test
  void csvAnswerHasAHeaderAndOneLinePerRow() {
    Reply r =
        node.post(
            "/v1/analytics/query",
            ADMIN_KEY,
            "{\"sql\":\"SELECT 'a,b' AS x, 2 AS y UNION ALL SELECT '=1+1', -3\",\"format\":\"csv\"}");
    assertEquals(200, r.status(), r.raw().body());
    assertTrue(r.contentType().startsWith("text/csv"), r.contentType());
    assertEquals("x,y\r\n\"a,b\",2\r\n'=1+1,-3\r\n", r.raw().body());
  }

  @Test
  void aKeyWithoutAnalyticsReadIsForbidden_andOneWithItMayQuery() {
    Reply reader =
        node.post("/v1/keys", ADMIN_KEY, "{\"name\":\"reader\",\"scopes\":[\"events:read\"]}");
    assertEquals(201, reader.status(), reader.raw().body());
    Reply analyst =
        node.post("/v1/keys", ADMIN_KEY, "{\"name\":\"analyst\",\"scopes\":[\"analytics:read\"]}");
    assertEquals(201, analyst.status(), analyst.raw().body());
    String sql = "{\"sql\":\"SELECT count(*) FROM events\"}";
    assertEquals(
        403, node.post("/v1/analytics/query", reader.body().get("api_key").asText(), sql).status());
    assertEquals(
        200,
        node.post("/v1/analytics/query", analyst.body().get("api_key").asText(), sql).status());
  }

  @Test
  void everyQueryIsRecordedAsAnAccessEventWithItsSqlAndRowCount() throws Exception {
    String sql = "SELECT seq FROM events WHERE type = 'LOGIN_SUCCESSFUL' LIMIT 3 -- audit me";
    assertEquals(
        200,
        node.post("/v1/analytics/query", ADMIN_KEY, node.json.createObjectNode().put("sql", sql))
            .status());
    String refused = "SELECT * FROM read_csv('/etc/passwd') -- audit me too";
    assertEquals(
        400,
        node.post(
                "/v1/analytics/query", ADMIN_KEY, node.json.createObjectNode().put("sql", refused))
            .status());
    JsonNode ok = null;
    JsonNode no = null;
    for (int attempt = 0; attempt < 100 && (ok == null || no == null); attempt++) {
      Thread.sleep(100);
      Reply r = node.get("/v1/events?type=AUDIT_LOG_ACCESSED&limit=1000", ADMIN_KEY);
      for (JsonNode e : r.body().get("events")) {
        JsonNode m = e.get("metadata");
        if (m.path("resource").asText().equals("analytics")) {
          if (m.at("/filter/sql").asText().equals(sql)) {
            ok = m;
          } else if (m.at("/filter/sql").asText().equals(refused)) {
            no = m;
          }
        }
      }
    }
    assertTrue(ok != null && no != null, "both queries were recorded");
    assertEquals(3, ok.get("result_count").asInt());
    assertEquals(0, no.get("result_count").asInt());
    assertEquals("refused", no.at("/filter/error").asText());
  }
}
