package dev.vellum.archive;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.store.RecordStore;
import dev.vellum.store.StoredEvent;
import dev.vellum.testing.S3Proxy;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot retention end to end on a real node whose archive is a real S3-compatible server: events
 * sealed and older than the retention leave the hot store only, and everything that reads them
 * still answers.
 */
@Timeout(180)
class HotRetentionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  static TestNode node(Path dir, S3Proxy s3, Duration retention, Map<String, Duration> byTenant) {
    return TestNode.start(
        dir,
        c ->
            c.withArchive(
                c.archive()
                    .withBuffer(64 * 1024, Duration.ofMillis(200))
                    .withS3(s3.settings("audit"))
                    .withHotRetention(retention, byTenant)));
  }

  /** The node's clock, {@code ahead} later: retention sees every sealed file as that old. */
  /**
   * The analytics view over the archive and the hot store counts each of {@code before}'s events
   * (those with seq ≤ {@code last}) exactly once, per type.
   */
  static void assertAnalyticsCountsEachOnce(TestNode node, List<StoredEvent> before, long last)
      throws Exception {
    Reply q =
        node.post(
            "/v1/analytics/query",
            ADMIN_KEY,
            JSON.createObjectNode()
                .put(
                    "sql",
                    "SELECT type, count(*), count(DISTINCT seq) FROM events WHERE seq <= "
                        + last
                        + " GROUP BY type ORDER BY type"));
    assertEquals(200, q.status(), q.raw().body());
    Map<String, Long> counted = new TreeMap<>();
    for (JsonNode row : q.body().get("rows")) {
      assertEquals(row.get(1).asLong(), row.get(2).asLong(), "no event counted twice");
      counted.put(row.get(0).asText(), row.get(1).asLong());
    }
    Map<String, Long> expected = new TreeMap<>();
    for (StoredEvent e : before) {
      expected.merge(JSON.readTree(e.body()).path("type").asText(), 1L, Long::sum);
    }
    assertEquals(expected, counted);
  }

  static Clock ahead(Duration ahead) {
    return Clock.offset(Clock.systemUTC(), ahead);
  }

  @Test
  void archivedEventsLeaveTheHotStoreAndAreStillServedSearchedCountedAndVerified()
      throws Exception {
    try (S3Proxy s3 = S3Proxy.start(Files.createDirectories(dir.resolve("s3")));
        TestNode node = node(dir.resolve("node"), s3, Duration.ofDays(30), Map.of())) {
      ArchiverTest.ingest(node, 6, "LOGIN_SUCCESSFUL");
      ArchiverTest.ingest(node, 4, "LOGIN_FAILED");
      long last = node.node().store().nextSeq("default") - 1;
      ArchiverTest.awaitArchived(node, "default", last);
      List<StoredEvent> before = node.node().store().range("default", 0, last + 1);
      assertEquals(last + 1, before.size());
      StoredEvent archivedLogin =
          before.stream().filter(e -> e.body().contains("LOGIN_FAILED")).findFirst().orElseThrow();
      String proofBefore =
          node.get("/v1/events/" + archivedLogin.id() + "/proof?tree_size=" + (last + 1), ADMIN_KEY)
              .raw()
              .body();
      ArchiveService archive = node.node().archive().orElseThrow();

      HotRetention.Result young = archive.expireHot(ahead(Duration.ofDays(29)));
      assertEquals(0, young.files(), "nothing is older than the retention yet");
      assertEquals(before.size(), node.node().store().range("default", 0, last + 1).size());

      HotRetention.Result run = archive.expireHot(ahead(Duration.ofDays(31)));
      assertEquals(List.of(), run.failures());
      assertTrue(run.files() >= 2 && run.events() >= before.size(), run.toString());
      assertEquals(List.of(), node.node().store().range("default", 0, last + 1), "hot store");
      for (RecordStore.Entry f : ArchiverTest.files(node, "default")) {
        if (Manifest.parse(f.body()).lastSeq() <= last) {
          assertEquals(ArchiveRecords.EXPIRED_HOT, f.status(), f.id());
        }
      }
      assertTrue(node.node().store().nextSeq("default") > last, "seqs go on");

      // GET by id answers from the archive: the same event, marked
      for (StoredEvent e : before) {
        Reply r = node.get("/v1/events/" + e.id(), ADMIN_KEY);
        assertEquals(200, r.status(), r.raw().body());
        assertEquals(hotJson(e), r.raw().body(), "the same JSON as when it was hot");
        assertTrue(r.header("Vellum-Archived-In").startsWith("tenant=default/"), "marked");
      }
      // its inclusion proof works from the tiles, unchanged
      Reply proof =
          node.get(
              "/v1/events/" + archivedLogin.id() + "/proof?tree_size=" + (last + 1), ADMIN_KEY);
      assertEquals(200, proof.status(), proof.raw().body());
      assertEquals(JSON.readTree(proofBefore), proof.body());

      // searches and counts say they reach into archived time, and find only hot events
      Reply search = node.get("/v1/events?limit=100", ADMIN_KEY);
      assertEquals(200, search.status(), search.raw().body());
      String boundary = search.body().path("archived_before").asText();
      assertFalse(boundary.isEmpty(), search.raw().body());
      assertEquals(boundary, search.header("Vellum-Archived-Before"));
      Set<String> archivedIds = new HashSet<>();
      before.forEach(e -> archivedIds.add(e.id()));
      for (JsonNode e : search.body().get("events")) {
        assertFalse(archivedIds.contains(e.get("id").asText()), "a deleted event was found");
      }
      Reply recent = node.get("/v1/events?limit=10&from=" + boundary, ADMIN_KEY);
      assertEquals(200, recent.status(), recent.raw().body());
      assertNull(recent.header("Vellum-Archived-Before"));
      assertTrue(recent.body().path("archived_before").isMissingNode());
      Reply stats = node.get("/v1/events/stats?interval=1d", ADMIN_KEY);
      assertEquals(200, stats.status(), stats.raw().body());
      assertEquals(boundary, stats.body().path("archived_before").asText());

      // the analytics view counts every archived event exactly once
      assertAnalyticsCountsEachOnce(node, before, last);

      // the log still verifies: online (the served events proven, the archived ones named as
      // such), offline (leaves of archived events from the tiles), and the archive itself
      String logKey = node.get("/v1/log/key", ADMIN_KEY).raw().body().strip();
      String online =
          cli(
              0,
              "verify",
              "--url",
              node.url(""),
              "--key",
              ADMIN_KEY,
              "--trusted-key",
              logKey,
              "--state",
              dir.resolve("verify-state").toString());
      assertTrue(online.contains("CLEAN") && online.contains("archived: "), online);
      String offline = cli(0, "verify", "--data-dir", dir.resolve("node").toString());
      assertTrue(offline.contains("CLEAN") && offline.contains(" archived (leaves"), offline);
      System.setProperty("aws.accessKeyId", S3Proxy.ACCESS_KEY);
      System.setProperty("aws.secretAccessKey", S3Proxy.SECRET_KEY);
      String files =
          cli(
              0,
              "archive",
              "verify",
              "--archive",
              "s3://" + S3Proxy.BUCKET + "/audit",
              "--tenant",
              "default",
              "--url",
              node.url(""),
              "--key",
              ADMIN_KEY,
              "--log-key",
              logKey,
              "--s3-endpoint",
              s3.endpoint(),
              "--s3-path-style");
      assertTrue(files.contains("OK: "), files);

      // ingest goes on after the deleted seqs; a second run finds nothing new to do
      ArchiverTest.ingest(node, 1, "LOGIN_SUCCESSFUL");
      assertTrue(node.node().store().nextSeq("default") > last + 1);
      HotRetention.Result again = archive.expireHot(ahead(Duration.ofDays(31)));
      assertEquals(List.of(), again.failures());

      // a restart keeps the heads: seqs continue, the archived events are still served
      long next = node.node().store().nextSeq("default");
      node.restart();
      assertEquals(next, node.node().store().nextSeq("default"));
      ArchiverTest.ingest(node, 1, "LOGIN_SUCCESSFUL");
      assertEquals(200, node.get("/v1/events/" + archivedLogin.id(), ADMIN_KEY).status());
      assertEquals(200, node.get("/v1/events?limit=100", ADMIN_KEY).status());
    }
  }

  @Test
  void aTenantOverrideKeepsItsEventsHotLonger() throws Exception {
    try (S3Proxy s3 = S3Proxy.start(Files.createDirectories(dir.resolve("s3")));
        TestNode node =
            node(
                dir.resolve("node"),
                s3,
                Duration.ofDays(30),
                Map.of("default", Duration.ofDays(90)))) {
      ArchiverTest.ingest(node, 3, "LOGIN_SUCCESSFUL");
      long last = node.node().store().nextSeq("default") - 1;
      ArchiverTest.awaitArchived(node, "default", last);
      ArchiveService archive = node.node().archive().orElseThrow();
      assertEquals(0, archive.expireHot(ahead(Duration.ofDays(31))).files());
      assertEquals(last + 1, node.node().store().range("default", 0, last + 1).size());
      assertTrue(archive.expireHot(ahead(Duration.ofDays(91))).files() > 0);
      assertEquals(List.of(), node.node().store().range("default", 0, last + 1));
    }
  }

  @Test
  void keepsTheEventsOfAFileThatNoLongerMatchesItsManifest() throws Exception {
    try (S3Proxy s3 = S3Proxy.start(Files.createDirectories(dir.resolve("s3")));
        TestNode node = node(dir.resolve("node"), s3, Duration.ofDays(30), Map.of())) {
      ArchiverTest.ingest(node, 4, "LOGIN_SUCCESSFUL");
      long last = node.node().store().nextSeq("default") - 1;
      ArchiverTest.awaitArchived(node, "default", last);
      List<RecordStore.Entry> files = ArchiverTest.files(node, "default");
      String key = "audit/" + files.get(0).id();
      s3.blobs()
          .putBlob(
              S3Proxy.BUCKET,
              s3.blobs().blobBuilder(key).payload("not the sealed file".getBytes()).build());
      HotRetention.Result run =
          node.node().archive().orElseThrow().expireHot(ahead(Duration.ofDays(31)));
      assertEquals(1, run.failures().size(), run.toString());
      assertTrue(run.failures().get(0).contains("manifest says"), run.failures().get(0));
      Manifest damaged = Manifest.parse(files.get(0).body());
      assertEquals(
          damaged.count(),
          node.node().store().range("default", damaged.firstSeq(), damaged.lastSeq() + 1).stream()
              .filter(e -> damaged.covers(e.seq()))
              .count(),
          "the damaged file's events stay hot");
      assertEquals(
          ArchiveRecords.SEALED,
          node.node()
              .records()
              .get(ArchiveRecords.FILE, "default", files.get(0).id())
              .orElseThrow()
              .status());
    }
  }

  /** Runs the CLI in-process; asserts its exit code, returns what it printed. */
  static String cli(int exit, String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cli = dev.vellum.cli.VellumCli.commandLine();
    cli.setOut(new java.io.PrintWriter(out));
    cli.setErr(new java.io.PrintWriter(out));
    assertEquals(exit, cli.execute(args), out.toString());
    return out.toString();
  }

  private static String hotJson(StoredEvent e) {
    return dev.vellum.query.EventJson.render(e);
  }
}
