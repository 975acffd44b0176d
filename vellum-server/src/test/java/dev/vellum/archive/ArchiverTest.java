package dev.vellum.archive;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.core.note.Checkpoint;
import dev.vellum.objectstore.Sha256;
import dev.vellum.store.RecordStore;
import dev.vellum.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiverTest {
  @TempDir Path dir;

  static TestNode archivingNode(Path dir) {
    return TestNode.start(
        dir, c -> c.withArchive(c.archive().withBuffer(64 * 1024, Duration.ofMillis(200))));
  }

  static void ingest(TestNode node, int count, String type) {
    for (int i = 0; i < count; i++) {
      ObjectNode e = node.loginEvent("user-" + i);
      e.put("type", type);
      e.put("outcome", type.equals("LOGIN_FAILED") ? "failure" : "success");
      assertEquals(200, node.post("/v1/events", ADMIN_KEY, e).status());
    }
  }

  /** Waits until the tenant's events up to {@code seq} are sealed; fails after a minute. */
  static void awaitArchived(TestNode node, String tenant, long seq) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (ArchiveRecords.archivedThroughSeq(node.node().records(), tenant) < seq) {
      assertTrue(System.nanoTime() < deadline, "events were not archived within a minute");
      Thread.sleep(50);
    }
  }

  static List<RecordStore.Entry> files(TestNode node, String tenant) {
    return node.node().records().list(ArchiveRecords.FILE, tenant, null, "", 10_000);
  }

  @Test
  void sealsEachTenantSourceTypeAndDayIntoParquetWithAVerifiableManifest() throws Exception {
    try (TestNode node = archivingNode(dir)) {
      ingest(node, 5, "LOGIN_SUCCESSFUL");
      ingest(node, 3, "LOGIN_FAILED");
      awaitArchived(node, "default", 7);
      List<RecordStore.Entry> files = files(node, "default");
      // how many seals the 8 events took depends on timing; each file holds one type only
      assertTrue(files.size() >= 2, "one file per type at least: " + files);
      Path archive = dir.resolve("archive");
      try (ParquetFiles parquet = new ParquetFiles()) {
        TreeSet<Long> seqs = new TreeSet<>();
        for (RecordStore.Entry f : files) {
          Manifest m = Manifest.parse(f.body());
          assertEquals(ArchiveRecords.SEALED, f.status());
          assertTrue(
              m.key()
                  .matches(
                      "tenant=default/source=DEMO_APP/type=LOGIN_(SUCCESSFUL|FAILED)/year=\\d{4}"
                          + "/month=\\d\\d/day=\\d\\d/default-\\d+-\\d+-[0-9a-f]{8}\\.parquet"),
              m.key());
          Path file = archive.resolve(m.key());
          assertEquals(m.size(), Files.size(file));
          assertEquals(m.sha256(), Sha256.of(file));
          assertTrue(Files.isRegularFile(archive.resolve(m.key() + ".manifest.json")));
          assertEquals(f.body(), Files.readString(archive.resolve(m.key() + ".manifest.json")));
          assertTrue(m.checkpointTreeSize() > m.lastSeq(), "the checkpoint covers the file");
          String note = m.checkpointNote();
          Checkpoint cp = Checkpoint.parse(note.substring(0, note.indexOf("\n\n") + 1));
          assertEquals(m.checkpointTreeSize(), cp.size());
          List<ParquetFiles.Row> rows = parquet.read(file);
          assertEquals(m.count(), rows.size());
          for (ParquetFiles.Row r : rows) {
            byte[] leaf = Rfc6962.leafHash(r.body().getBytes(StandardCharsets.UTF_8));
            assertEquals(HexFormat.of().formatHex(leaf), r.leafHashHex());
            assertTrue(m.covers(r.seq()));
            assertTrue(r.body().contains("\"type\":\"" + m.type() + "\""), r.body());
            assertTrue(seqs.add(r.seq()), "seq " + r.seq() + " sealed twice");
          }
        }
        assertEquals(8, seqs.size());
        assertEquals(0L, seqs.first());
        String metrics = node.get("/metrics", ADMIN_KEY).raw().body();
        assertTrue(metrics.contains("vellum_archive_events_sealed_total 8.0"), metrics);
      }
    }
  }

  @Test
  void storesTheCanonicalBodyByteIdenticalAndTheFlattenedColumns() throws Exception {
    try (TestNode node = archivingNode(dir)) {
      ingest(node, 1, "LOGIN_SUCCESSFUL");
      awaitArchived(node, "default", 0);
      JsonNode stored = node.get("/v1/events?limit=1", ADMIN_KEY).body().get("events").get(0);
      Manifest m = Manifest.parse(files(node, "default").get(0).body());
      try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
          var s = c.createStatement();
          var rs =
              s.executeQuery(
                  "SELECT actor_id, actor_ip, metadata, outcome, body, typeof(occurred_at)"
                      + " FROM read_parquet('"
                      + dir.resolve("archive").resolve(m.key())
                      + "')")) {
        assertTrue(rs.next());
        assertEquals("user-0", rs.getString(1));
        assertEquals("10.1.2.3", rs.getString(2));
        assertEquals("{\"login_method\":\"PASSWORD\"}", rs.getString(3));
        assertEquals("success", rs.getString(4));
        assertEquals(stored.get("seq").asLong(), m.firstSeq());
        assertTrue(rs.getString(5).contains("\"actor\":{"));
        assertEquals("TIMESTAMP", rs.getString(6));
      }
    }
  }

  @Test
  void sealsNothingTwiceAcrossARestart() throws Exception {
    try (TestNode node = archivingNode(dir)) {
      ingest(node, 4, "LOGIN_SUCCESSFUL");
      awaitArchived(node, "default", 3);
      node.restart();
      ingest(node, 3, "LOGIN_SUCCESSFUL");
      awaitArchived(node, "default", 6);
      TreeSet<Long> seqs = new TreeSet<>();
      long count = 0;
      for (RecordStore.Entry f : files(node, "default")) {
        Manifest m = Manifest.parse(f.body());
        count += m.count();
        for (long[] r : m.seqRanges()) {
          for (long s = r[0]; s <= r[1]; s++) {
            seqs.add(s);
          }
        }
      }
      assertEquals(7, count);
      assertEquals(7, seqs.size());
    }
  }

  @Test
  void aFailingSealShowsAsAFailingConsumerUntilASealSucceeds() throws Exception {
    try (TestNode node = archivingNode(dir)) {
      Path archive = dir.resolve("archive");
      deleteTree(archive);
      Files.writeString(archive, "not a directory: every upload fails");
      ingest(node, 3, "LOGIN_SUCCESSFUL");
      JsonNode failing = awaitArchiveConsumer(node, true);
      assertTrue(
          failing.path("last_error").asText().startsWith("sealing 3 buffered events failed"),
          failing.toString());
      assertEquals(0, files(node, "default").size(), "nothing is recorded as archived");

      Files.delete(archive);
      awaitArchived(node, "default", 2);
      assertEquals(false, awaitArchiveConsumer(node, false).path("failing").asBoolean());
    }
  }

  private static JsonNode awaitArchiveConsumer(TestNode node, boolean failing)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (true) {
      for (JsonNode c : node.get("/v1/admin/consumers", ADMIN_KEY).body().path("consumers")) {
        if (c.path("name").asText().equals(Archiver.NAME)
            && c.path("failing").asBoolean() == failing) {
          return c;
        }
      }
      assertTrue(
          System.nanoTime() < deadline, "the archive consumer's failing never became " + failing);
      Thread.sleep(50);
    }
  }

  private static void deleteTree(Path root) throws java.io.IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
