package dev.vellum.analytics;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.app.VellumNode;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Escape attempts against POST /v1/analytics/query: each is refused or stopped with a problem
 * document that names no server path, and the server keeps answering afterwards.
 */
class AnalyticsSandboxApiTest {
  @TempDir static Path dir;
  static TestNode node;
  static String otherFile;
  static Path archiveRoot;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir);
    Reply created = node.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"other\"}");
    assertEquals(201, created.status(), created.raw().body());
    String otherKey = created.body().get("api_key").asText();
    assertEquals(200, node.put("/v1/sources/OTHER_APP", otherKey, "{}").status());
    ObjectNode e = node.loginEvent("other-user");
    e.put("source", "OTHER_APP");
    assertEquals(200, node.post("/v1/events", otherKey, e).status());
    for (int i = 0; i < 20; i++) {
      assertEquals(200, node.post("/v1/events", ADMIN_KEY, node.loginEvent("u" + i)).status());
    }
    VellumNode n = node.node();
    List<String> other = ArchiveFixture.seal(node, "other", 0, n.store().nextSeq("other"), true);
    ArchiveFixture.seal(node, "default", 0, 10, true);
    archiveRoot = dir.resolve(VellumNode.ARCHIVE_DIR).toRealPath();
    otherFile = archiveRoot.resolve(other.get(0)).toString();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static Reply query(String sql) {
    ObjectNode body = node.json.createObjectNode().put("sql", sql);
    return node.post("/v1/analytics/query", ADMIN_KEY, body);
  }

  private static void assertRefused(String sql) {
    Reply r = query(sql);
    assertEquals(400, r.status(), r.raw().body());
    assertProblem(r, "analytics-refused");
  }

  private static void assertProblem(Reply r, String slug) {
    assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
    assertTrue(r.body().get("type").asText().endsWith("/" + slug), r.raw().body());
    assertFalse(r.raw().body().contains(archiveRoot.toString()), r.raw().body());
    assertFalse(r.raw().body().contains("at org.duckdb"), r.raw().body());
  }

  @Test
  void readCsvOfEtcPasswdIsRefused() {
    assertRefused("SELECT * FROM read_csv('/etc/passwd')");
    assertRefused("SELECT * FROM '/etc/passwd'");
    assertRefused("SELECT * FROM read_text('/etc/passwd')");
  }

  @Test
  void anotherTenantsFileIsRefusedByAbsolutePath() {
    assertRefused("SELECT * FROM read_parquet('" + otherFile + "')");
  }

  @Test
  void anotherTenantsFileIsRefusedThroughDotDot() {
    String sneaky =
        archiveRoot.resolve("tenant=default").toString()
            + "/../"
            + archiveRoot.relativize(Path.of(otherFile));
    assertRefused("SELECT * FROM read_parquet('" + sneaky + "')");
    assertRefused("SELECT * FROM glob('" + archiveRoot + "/tenant=default/../**')");
  }

  @Test
  void copyToAFileIsRefused() {
    assertRefused("COPY (SELECT 1) TO '" + archiveRoot + "/tenant=default/x.csv'");
  }

  @Test
  void attachInstallLoadSetPragmaAreRefused() {
    assertRefused("ATTACH '/tmp/evil.db'");
    assertRefused("INSTALL httpfs");
    assertRefused("LOAD httpfs");
    assertRefused("SET enable_external_access = true");
    assertRefused("PRAGMA database_list");
  }

  @Test
  void twoStatementsAreRefused() {
    assertRefused("SELECT 1; SELECT 2");
  }

  @Test
  void ddlIsRefused() {
    assertRefused("CREATE TABLE t AS SELECT * FROM events");
    assertRefused("DROP VIEW events");
  }

  @Test
  void aQueryThatRunsForeverIsCancelledAtItsTimeLimit() {
    ObjectNode body =
        node.json
            .createObjectNode()
            .put("sql", "SELECT count(*) FROM range(1000000000000) a, range(1000000) b")
            .put("timeout_ms", 1500);
    Reply r = node.post("/v1/analytics/query", ADMIN_KEY, body);
    assertEquals(422, r.status(), r.raw().body());
    assertProblem(r, "analytics-timeout");
    assertEquals(200, query("SELECT count(*) FROM events").status(), "still serving");
  }

  @Test
  void tooManyRowsAreCutOffAndTheAnswerSaysSo() {
    ObjectNode body =
        node.json
            .createObjectNode()
            .put("sql", "SELECT * FROM range(100000000)")
            .put("max_rows", 1000);
    Reply r = node.post("/v1/analytics/query", ADMIN_KEY, body);
    assertEquals(200, r.status(), r.raw().body());
    assertEquals(1000, r.body().get("rows").size());
    assertTrue(r.body().get("truncated").asBoolean());
    assertEquals("max_rows", r.body().get("truncated_by").asText());
    assertEquals("max_rows", r.header("X-Vellum-Truncated"));
  }

  @Test
  void aQueryThatNeedsTooMuchMemoryFailsWithAClearMessage() {
    Reply r = query("SELECT list(range) FROM range(2000000000)");
    assertEquals(422, r.status(), r.raw().body());
    assertProblem(r, "analytics-failed");
    assertTrue(r.body().get("detail").asText().contains("Out of Memory"), r.raw().body());
    assertFalse(r.body().get("detail").asText().contains("SET "), r.raw().body());
    assertEquals(200, query("SELECT 1").status(), "still serving");
  }

  @Test
  void aBadColumnIsAProblemNamingIt() {
    Reply r = query("SELECT no_such_column FROM events");
    assertEquals(422, r.status(), r.raw().body());
    assertProblem(r, "analytics-failed");
    assertTrue(r.body().get("detail").asText().contains("no_such_column"), r.raw().body());
  }

  @Test
  void theViewHoldsOnlyTheTenantsOwnEvents() {
    Reply r = query("SELECT DISTINCT tenant FROM events");
    assertEquals(200, r.status(), r.raw().body());
    assertEquals(1, r.body().get("rows").size());
    assertEquals("default", r.body().get("rows").get(0).get(0).asText());
    assertEquals(true, r.body().at("/coverage/archive_files").asInt() > 0);
  }
}
