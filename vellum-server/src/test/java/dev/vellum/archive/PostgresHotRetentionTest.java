package dev.vellum.archive;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.config.VellumConfig;
import dev.vellum.store.StoredEvent;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot retention and restore on a node whose events are in the real PostgreSQL server (a fresh
 * schema, dropped at the end): rows deleted under the tenant's head lock, seqs continuing, archived
 * events served, then restored with their seq and leaf hash and marked restored.
 */
@Timeout(120)
class PostgresHotRetentionTest {
  private static final String URL =
      System.getenv()
          .getOrDefault("VELLUM_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  private static final String USER =
      System.getenv().getOrDefault("VELLUM_TEST_POSTGRES_USER", "postgres");
  private static final String PASSWORD =
      System.getenv().getOrDefault("VELLUM_TEST_POSTGRES_PASSWORD", "");

  @TempDir Path dir;

  @Test
  void deletesArchivedRowsFromPostgresServesThemAndRestoresThemMarked() throws Exception {
    String schema = "vellum_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try {
      try (TestNode node =
          TestNode.start(
              dir,
              c ->
                  c.withStorage(
                          new VellumConfig.Storage(
                              "postgres",
                              new VellumConfig.Postgres(
                                  URL,
                                  USER,
                                  PASSWORD.isEmpty() ? null : PASSWORD,
                                  null,
                                  schema,
                                  4)))
                      .withArchive(c.archive().withBuffer(64 * 1024, Duration.ofMillis(200))))) {
        ArchiverTest.ingest(node, 5, "LOGIN_SUCCESSFUL");
        long last = node.node().store().nextSeq("default") - 1;
        ArchiverTest.awaitArchived(node, "default", last);
        List<StoredEvent> before = node.node().store().range("default", 0, last + 1);
        long next = node.node().store().nextSeq("default");
        HotRetention.Result run =
            node.node()
                .archive()
                .orElseThrow()
                .expireHot(HotRetentionTest.ahead(Duration.ofDays(31)));
        assertEquals(List.of(), run.failures());
        assertTrue(run.events() >= before.size(), run.toString());
        assertEquals(List.of(), node.node().store().range("default", 0, last + 1));
        assertTrue(node.node().store().nextSeq("default") >= next, "seqs never go back");
        for (StoredEvent e : before) {
          Reply r = node.get("/v1/events/" + e.id(), ADMIN_KEY);
          assertEquals(200, r.status(), r.raw().body());
          assertEquals(dev.vellum.query.EventJson.render(e), r.raw().body());
        }
        Reply search = node.get("/v1/events?limit=50", ADMIN_KEY);
        assertEquals(200, search.status(), search.raw().body());
        assertTrue(search.body().has("archived_before"), search.raw().body());
        ArchiverTest.ingest(node, 1, "LOGIN_SUCCESSFUL");
        assertRestoresMarked(node, before);
      }
    } finally {
      try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }

  /** A restore brings the expired rows back into PostgreSQL, same seq and hash, marked restored. */
  private static void assertRestoresMarked(TestNode node, List<StoredEvent> before) {
    long min = before.stream().mapToLong(StoredEvent::occurredAtMicros).min().orElseThrow();
    long max = before.stream().mapToLong(StoredEvent::occurredAtMicros).max().orElseThrow();
    String range =
        "{\"from\":\""
            + java.time.Instant.EPOCH.plus(min, java.time.temporal.ChronoUnit.MICROS)
            + "\",\"to\":\""
            + java.time.Instant.EPOCH.plus(max + 1_000, java.time.temporal.ChronoUnit.MICROS)
            + "\"}";
    Reply restored = node.post("/v1/archive/restores", ADMIN_KEY, range);
    assertEquals(201, restored.status(), restored.raw().body());
    assertTrue(restored.body().path("count").asLong() >= before.size(), restored.raw().body());
    java.util.Map<Long, StoredEvent> hot =
        node.node().store().findBySeqs("default", before.stream().map(StoredEvent::seq).toList());
    assertEquals(before.size(), hot.size());
    for (StoredEvent e : before) {
      StoredEvent back = hot.get(e.seq());
      assertEquals(e.id(), back.id());
      assertEquals(e.body(), back.body());
      assertTrue(java.util.Arrays.equals(e.leafHash(), back.leafHash()), "same leaf hash");
      assertTrue(back.restoredUntilMicros() != null, "marked restored");
      Reply got = node.get("/v1/events/" + e.id(), ADMIN_KEY);
      assertEquals(200, got.status(), got.raw().body());
      assertTrue(got.body().path("restored").asBoolean(), got.raw().body());
    }
    Reply again = node.post("/v1/archive/restores", ADMIN_KEY, range);
    assertEquals(201, again.status(), again.raw().body());
    assertEquals(0, again.body().path("count").asLong(), again.raw().body());
    assertTrue(again.body().path("already_hot").asLong() >= before.size(), again.raw().body());
  }
}
