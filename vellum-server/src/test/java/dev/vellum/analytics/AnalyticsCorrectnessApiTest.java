package dev.vellum.analytics;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.store.StoredEvent;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The view's answers against the store: archived files plus hot events count every event once, and
 * aggregates over seeded random events match a naive computation. The server's own access events
 * (recorded in the background after each query) are left out of the comparisons.
 */
class AnalyticsCorrectnessApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NOT_ACCESS = "type <> 'AUDIT_LOG_ACCESSED'";

  @TempDir Path dir;

  private static Map<String, Long> rowsAsCounts(Reply r) {
    assertEquals(200, r.status(), r.raw().body());
    Map<String, Long> out = new TreeMap<>();
    for (JsonNode row : r.body().get("rows")) {
      out.put(row.get(0).asText(), row.get(1).asLong());
    }
    return out;
  }

  private static Reply query(TestNode node, String sql) {
    return node.post("/v1/analytics/query", ADMIN_KEY, JSON.createObjectNode().put("sql", sql));
  }

  private static Map<String, Long> storeCounts(TestNode node, Function<JsonNode, String> key)
      throws Exception {
    Map<String, Long> out = new TreeMap<>();
    for (StoredEvent e : node.node().store().range("default", 0, Long.MAX_VALUE)) {
      JsonNode b = JSON.readTree(e.body());
      if (!b.path("type").asText().equals("AUDIT_LOG_ACCESSED")) {
        out.merge(key.apply(b), 1L, Long::sum);
      }
    }
    return out;
  }

  private static void ingest(TestNode node, int n, long seed) {
    Random rnd = new Random(seed);
    Instant base = Instant.now().minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS);
    ArrayNode batch = JSON.createArrayNode();
    for (int i = 0; i < n; i++) {
      ObjectNode e = node.loginEvent("user" + rnd.nextInt(7));
      e.put("occurred_at", base.plus(rnd.nextInt(3 * 24 * 60), ChronoUnit.MINUTES).toString());
      if (rnd.nextInt(4) == 0) {
        e.put("type", "LOGIN_FAILED");
        e.put("outcome", "failure");
        e.put("severity", rnd.nextBoolean() ? "warning" : "info");
        e.with("metadata").put("login_failure_code", "INCORRECT_PASSWORD");
      }
      batch.add(e);
    }
    Reply r = node.post("/v1/events", ADMIN_KEY, batch);
    assertEquals(200, r.status(), r.raw().body());
  }

  @Test
  void countsByTypeOverArchiveAndHotEqualTheStoresCounts() throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      ingest(node, 120, 1);
      long head = node.node().store().nextSeq("default");
      ArchiveFixture.seal(node, "default", 0, head / 2, true);
      ingest(node, 30, 2);
      Reply r =
          query(node, "SELECT type, count(*) FROM events WHERE " + NOT_ACCESS + " GROUP BY type");
      assertEquals(storeCounts(node, b -> b.path("type").asText()), rowsAsCounts(r));
      assertTrue(r.body().at("/coverage/archive_files").asInt() > 0, r.raw().body());
      assertTrue(r.body().at("/coverage/complete").asBoolean());
    }
  }

  @Test
  void anEventArchivedAndStillHotIsCountedOnce() throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      ingest(node, 60, 3);
      // [0, 20) archived with progress; [20, 40) archived but progress not advanced yet (the
      // archiver crashed between sealing and recording progress): all of it is still hot too
      ArchiveFixture.seal(node, "default", 0, 20, true);
      ArchiveFixture.seal(node, "default", 20, 40, false);
      Reply r =
          query(
              node,
              "SELECT 'all', count(*) FROM events WHERE "
                  + NOT_ACCESS
                  + " UNION ALL SELECT 'distinct', count(DISTINCT seq) FROM events WHERE "
                  + NOT_ACCESS);
      long expected = storeCounts(node, b -> "x").get("x");
      Map<String, Long> got = rowsAsCounts(r);
      assertEquals(expected, got.get("all"), r.raw().body());
      assertEquals(expected, got.get("distinct"), r.raw().body());
    }
  }

  @Test
  void aggregatesMatchANaiveComputationOverSeededRandomEvents() throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      for (long seed = 10; seed < 14; seed++) {
        Random rnd = new Random(seed);
        ingest(node, 20 + rnd.nextInt(60), seed);
        long head = node.node().store().nextSeq("default");
        long sealed = node.node().store().nextSeq("default") - rnd.nextInt(20) - 1;
        List<String> checks = new ArrayList<>();
        if (rnd.nextBoolean() && sealed > 0) {
          long from = lastSealed(node);
          if (from < sealed) {
            ArchiveFixture.seal(node, "default", from, sealed, rnd.nextBoolean());
          }
        }
        checks.add("seed " + seed + " head " + head);
        assertEquals(
            storeCounts(node, b -> b.path("outcome").asText()),
            rowsAsCounts(
                query(
                    node,
                    "SELECT outcome, count(*) FROM events WHERE "
                        + NOT_ACCESS
                        + " GROUP BY outcome")),
            checks.toString());
        assertEquals(
            storeCounts(node, b -> b.path("actor").path("id").asText("-")),
            rowsAsCounts(
                query(
                    node,
                    "SELECT coalesce(actor_id, '-'), count(*) FROM events WHERE "
                        + NOT_ACCESS
                        + " GROUP BY 1")),
            checks.toString());
        assertEquals(
            storeCounts(
                node,
                b ->
                    b.path("occurred_at").asText().substring(0, 10)
                        + "|"
                        + b.path("severity").asText("")),
            rowsAsCounts(
                query(
                    node,
                    "SELECT strftime(occurred_at, '%Y-%m-%d') || '|' || coalesce(severity, ''),"
                        + " count(*) FROM events WHERE "
                        + NOT_ACCESS
                        + " GROUP BY 1")),
            checks.toString());
      }
    }
  }

  /** The first seq no archive file covers yet. */
  private static long lastSealed(TestNode node) throws Exception {
    long max = 0;
    for (var e :
        node.node().records().list(ArchiveSnapshot.FILE_KIND, "default", null, "", 10_000)) {
      max = Math.max(max, JSON.readTree(e.body()).path("last_seq").asLong() + 1);
    }
    return max;
  }
}
