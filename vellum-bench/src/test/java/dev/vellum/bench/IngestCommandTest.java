package dev.vellum.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.testing.TestNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Behaviour of {@code vellum bench ingest} against real nodes; never timing. */
class IngestCommandTest {
  private final ObjectMapper json = new ObjectMapper();

  private record Run(int exit, String out, String err) {}

  private Run bench(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new BenchCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void ingest_againstRunningServer_storesEveryEventAndReportsPercentiles(@TempDir Path dir)
      throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      Run run =
          bench(
              "ingest",
              "--url",
              node.url(""),
              "--key",
              TestNode.ADMIN_KEY,
              "--events",
              "2000",
              "--batch",
              "100",
              "--concurrency",
              "2",
              "--json");
      assertEquals(0, run.exit(), run.err());
      JsonNode report = json.readTree(run.out());
      assertEquals(2000, report.get("events").asLong());
      assertEquals(20, report.get("requests").asLong());
      assertEquals(20, report.at("/statuses/200").asLong());
      for (String p : new String[] {"p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms"}) {
        assertTrue(report.at("/latency/" + p).isNumber(), p);
      }
      JsonNode stored =
          node.get("/v1/events?limit=1000&source=DEMO_APP", TestNode.ADMIN_KEY).body();
      assertEquals(1000, stored.get("events").size(), "a full page of the sent events");
      assertFalse(stored.get("next_cursor").isNull(), "more than one page stored");
    }
  }

  @Test
  void ingest_withSeveralUrls_spreadsTheBatchesRoundRobinOverTheNodes(@TempDir Path dir)
      throws Exception {
    try (TestNode a = TestNode.start(dir.resolve("a"));
        TestNode b = TestNode.start(dir.resolve("b"))) {
      Run run =
          bench(
              "ingest",
              "--url",
              a.url("") + "," + b.url(""),
              "--key",
              TestNode.ADMIN_KEY,
              "--events",
              "1000",
              "--batch",
              "50",
              "--concurrency",
              "2",
              "--json");
      assertEquals(0, run.exit(), run.err());
      JsonNode report = json.readTree(run.out());
      assertEquals(2, report.get("nodes").asInt());
      assertEquals(1000, report.get("events").asLong());
      for (TestNode n : new TestNode[] {a, b}) {
        JsonNode stored = n.get("/v1/events?limit=1000&source=DEMO_APP", TestNode.ADMIN_KEY).body();
        assertEquals(500, stored.get("events").size(), "half of the batches on each node");
      }
    }
  }

  @Test
  void ingest_withVisibilityProbe_findsEveryProbeEventBySearchAfterItsAcknowledgement(
      @TempDir Path dir) throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      Run run =
          bench(
              "ingest",
              "--url",
              node.url(""),
              "--key",
              TestNode.ADMIN_KEY,
              "--duration",
              "2s",
              "--batch",
              "100",
              "--concurrency",
              "2",
              "--probe-visibility",
              "--json");
      assertEquals(0, run.exit(), run.err());
      JsonNode probe = json.readTree(run.out()).get("ack_to_searchable");
      assertTrue(probe.get("probes").asLong() >= 1, probe.toString());
      assertEquals(0, probe.get("not_found").asLong(), probe.toString());
      assertEquals(0, probe.get("not_acknowledged").asLong(), probe.toString());
      assertTrue(probe.get("p99_ms").asDouble() > 0, probe.toString());
    }
  }

  @Test
  void index_reportsRateBytesAndSearchLatencyOfTheSearchIndexAlone(@TempDir Path dir)
      throws Exception {
    Run run =
        bench(
            "index",
            "--events",
            "3000",
            "--dir",
            dir.toString(),
            "--query-seconds",
            "1",
            "--concurrency",
            "2",
            "--json");
    assertEquals(0, run.exit(), run.err());
    JsonNode report = json.readTree(run.out());
    assertTrue(report.at("/indexing/index_bytes_per_event").asDouble() > 0, run.out());
    assertTrue(report.at("/indexing/cpu_us_per_event").asDouble() > 0, run.out());
    for (String kind : IndexQueries.KINDS) {
      assertTrue(report.at("/queries/" + kind + "/queries").asLong() > 0, kind);
      assertTrue(report.at("/queries/" + kind + "/rows_per_query").asLong() > 0, kind);
    }
  }

  @Test
  void ingest_withRawSqliteBaseline_insertsTheSameNumberOfRows(@TempDir Path dir) throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      Run run =
          bench(
              "ingest",
              "--url",
              node.url(""),
              "--key",
              TestNode.ADMIN_KEY,
              "--events",
              "1000",
              "--batch",
              "100",
              "--concurrency",
              "2",
              "--baseline",
              "raw-sqlite",
              "--json");
      assertEquals(0, run.exit(), run.err());
      JsonNode report = json.readTree(run.out());
      assertEquals(1000, report.at("/baseline/rows").asLong());
      assertEquals(1000, report.at("/baseline/rows_stored").asLong());
      assertTrue(report.get("ratio").asDouble() > 0);
    }
  }

  @Test
  void ingest_singleEventsWithStartedServer_sendsOneObjectPerRequest() throws Exception {
    Run run =
        bench(
            "ingest",
            "--start-server",
            "--events",
            "200",
            "--batch",
            "1",
            "--concurrency",
            "4",
            "--json");
    assertEquals(0, run.exit(), run.err());
    JsonNode report = json.readTree(run.out());
    assertEquals(200, report.get("events").asLong());
    assertEquals(200, report.at("/statuses/200").asLong());
  }

  @Test
  void ingest_wrongKey_reportsStatus401AndFails(@TempDir Path dir) throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      Run run =
          bench(
              "ingest",
              "--url",
              node.url(""),
              "--key",
              "vk_wrong_key_000000000000000",
              "--events",
              "10",
              "--batch",
              "5",
              "--concurrency",
              "1",
              "--json");
      assertEquals(IngestCommand.EXIT_FAILED, run.exit());
      JsonNode report = json.readTree(run.out());
      assertEquals(2, report.at("/statuses/401").asLong());
      assertEquals(0, report.get("events").asLong());
    }
  }

  /** Against the real PostgreSQL server of the machine (127.0.0.1:5432, database test). */
  @Test
  void ingest_withRawPostgresBaseline_insertsTheSameNumberOfRowsAndDropsItsSchema(@TempDir Path dir)
      throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      Run run =
          bench(
              "ingest",
              "--url",
              node.url(""),
              "--key",
              TestNode.ADMIN_KEY,
              "--events",
              "1000",
              "--batch",
              "100",
              "--concurrency",
              "2",
              "--baseline",
              "raw-postgres",
              "--json");
      assertEquals(0, run.exit(), run.err());
      JsonNode report = json.readTree(run.out());
      assertEquals("raw-postgres", report.at("/baseline/kind").asText());
      assertEquals(1000, report.at("/baseline/rows_stored").asLong());
      assertTrue(report.at("/baseline/stored_bytes_per_row").asLong() > 0);
      assertTrue(report.get("ratio").asDouble() > 0);
    }
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection(RawPostgresBaseline.DEFAULT_URL);
        java.sql.ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*) FROM"
                        + " pg_namespace WHERE nspname LIKE 'vellum_baseline_%'")) {
      rs.next();
      assertEquals(0, rs.getLong(1), "the baseline's schema is dropped afterwards");
    }
  }

  @Test
  void ingest_unknownBaseline_isRefusedWithAMessage() {
    Run run =
        bench("ingest", "--url", "http://127.0.0.1:1", "--key", "k", "--baseline", "raw-oracle");
    assertEquals(IngestCommand.EXIT_USAGE, run.exit());
    assertTrue(run.err().contains("raw-sqlite, raw-postgres"), run.err());
  }

  @Test
  void query_afterIngest_reportsEveryKindWithoutErrors(@TempDir Path dir) throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      assertEquals(
          0,
          bench(
                  "ingest",
                  "--url",
                  node.url(""),
                  "--key",
                  TestNode.ADMIN_KEY,
                  "--events",
                  "1000",
                  "--batch",
                  "100",
                  "--concurrency",
                  "2")
              .exit());
      Run run =
          bench(
              "query",
              "--url",
              node.url(""),
              "--key",
              TestNode.ADMIN_KEY,
              "--requests",
              "100",
              "--concurrency",
              "2",
              "--kinds",
              String.join(",", QueryCommand.KINDS),
              "--json");
      assertEquals(0, run.exit(), run.err());
      JsonNode report = json.readTree(run.out());
      assertEquals(100, report.get("queries").asLong());
      assertEquals(100, report.at("/statuses/200").asLong());
      for (String kind : QueryCommand.KINDS) {
        assertEquals(20, report.at("/kinds/" + kind + "/queries").asLong(), kind);
        assertTrue(report.at("/kinds/" + kind + "/mean_rows").asDouble() > 0, kind);
      }
    }
  }
}
