package dev.vellum.archive;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.store.RecordStore;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteEventStore;
import dev.vellum.testing.S3Proxy;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL between upload and hot deletion, and again in the middle of deleting a file's events:
 * after a final run, every event is in exactly one archive file, none is left hot, each is still
 * served by id from the archive and counted once, and the log verifies.
 */
@Timeout(300)
class RetentionCrashTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EVENTS = 40;

  @TempDir Path work;

  @Test
  void aSigkillBetweenUploadAndHotDeletionOrDuringItLosesAndDuplicatesNothing() throws Exception {
    Path dataDir = work.resolve("data");
    try (S3Proxy s3 = S3Proxy.start(Files.createDirectories(work.resolve("s3")))) {
      assertEquals(0, run(dataDir, s3, "ingest", Integer.toString(EVENTS)).waitFor());
      TreeMap<Long, String> ids = new TreeMap<>();
      for (String line : Files.readAllLines(work.resolve("ids.txt"))) {
        String[] parts = line.split(" ");
        ids.put(Long.parseLong(parts[0]), parts[1]);
      }
      assertEquals(EVENTS, ids.size());

      // 1: a file is uploaded and verified, nothing of it deleted yet
      killWhenStalled(run(dataDir, s3, "stall", "verified", "1"));
      assertEquals(EVENTS, hotEvents(dataDir, ids.lastKey()), "killed before any deletion");
      // 2: part of a file's events deleted, its record still "sealed"
      killWhenStalled(run(dataDir, s3, "stall", "deleted", "3"));
      assertEquals(EVENTS - 3, hotEvents(dataDir, ids.lastKey()), "killed after three batches");
      // 3: a run to the end
      Process last = run(dataDir, s3, "finish");
      assertEquals(0, last.waitFor(), Files.readString(work.resolve("child.log")));
      assertTrue(Files.exists(work.resolve("finished")));

      try (TestNode node = node(dataDir, s3)) {
        long lastSeq = ids.lastKey();
        assertEquals(List.of(), node.node().store().range("default", 0, lastSeq + 1), "hot");
        // each seq in exactly one expired file
        int[] files = new int[(int) lastSeq + 1];
        for (RecordStore.Entry f : ArchiverTest.files(node, "default")) {
          Manifest m = Manifest.parse(f.body());
          for (long[] r : m.seqRanges()) {
            for (long s = r[0]; s <= Math.min(r[1], lastSeq); s++) {
              files[(int) s]++;
              assertEquals(ArchiveRecords.EXPIRED_HOT, f.status(), f.id());
            }
          }
        }
        for (int s = 0; s <= lastSeq; s++) {
          assertEquals(1, files[s], "seq " + s + " is in one file");
        }
        for (var e : ids.entrySet()) {
          assertEquals(
              OptionalLong.of(e.getKey()), node.node().store().deletedSeq("default", e.getValue()));
          Reply r = node.get("/v1/events/" + e.getValue(), ADMIN_KEY);
          assertEquals(200, r.status(), r.raw().body());
          assertEquals(e.getKey().longValue(), r.body().get("seq").asLong());
          assertTrue(r.header("Vellum-Archived-In") != null, "served from the archive");
        }
        Reply q =
            node.post(
                "/v1/analytics/query",
                ADMIN_KEY,
                JSON.createObjectNode()
                    .put(
                        "sql",
                        "SELECT count(*), count(DISTINCT seq), count(DISTINCT id) FROM events"
                            + " WHERE seq <= "
                            + lastSeq));
        assertEquals(200, q.status(), q.raw().body());
        JsonNode row = q.body().get("rows").get(0);
        assertEquals(List.of(lastSeq + 1, lastSeq + 1, lastSeq + 1), longs(row));
        String offline = HotRetentionTest.cli(0, "verify", "--data-dir", dataDir.toString());
        assertTrue(offline.contains("CLEAN"), offline);
      }
    }
  }

  /** How many of the seqs up to {@code last} the hot store holds, read with no node running. */
  private static long hotEvents(Path dataDir, long last) {
    try (SqliteEventStore store = new SqliteEventStore(SqliteDatabase.open(dataDir))) {
      return store.range("default", 0, last + 1).size();
    }
  }

  private static List<Long> longs(JsonNode row) {
    List<Long> out = new ArrayList<>();
    row.forEach(v -> out.add(v.asLong()));
    return out;
  }

  private static TestNode node(Path dataDir, S3Proxy s3) {
    return TestNode.start(
        dataDir,
        c ->
            c.withArchive(
                c.archive()
                    .withBuffer(64 * 1024, Duration.ofMillis(200))
                    .withS3(RetentionChild.s3(s3.endpoint()))));
  }

  private Process run(Path dataDir, S3Proxy s3, String... what) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx384m",
                "-cp",
                System.getProperty("java.class.path"),
                RetentionChild.class.getName(),
                dataDir.toString(),
                s3.endpoint(),
                work.toString()));
    cmd.addAll(List.of(what));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(work.resolve("child.log").toFile());
    return pb.start();
  }

  private void killWhenStalled(Process child) throws Exception {
    Path stalled = work.resolve("stalled");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.exists(stalled)) {
      assertTrue(
          child.isAlive(), "child ended early: " + Files.readString(work.resolve("child.log")));
      assertTrue(System.nanoTime() < deadline, "retention never reached the stall point");
      Thread.sleep(20);
    }
    child.destroyForcibly(); // SIGKILL
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    Files.delete(stalled);
  }
}
