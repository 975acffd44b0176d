package dev.vellum.search.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.search.SearchQuery;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.StoredEvent;
import dev.vellum.store.WriteBatch;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteEventStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL while the index is being written, after some commits: the reopened index resumes from its
 * last commit (no later), holds no duplicate, and once redelivered holds exactly the committed
 * events of each tenant.
 */
@Timeout(180)
class SigkillIndexingTest {
  private static final List<String> TENANTS = List.of("ta", "tb", "tc");
  private static final int PER_TENANT = 4_000;

  @TempDir Path work;

  @Test
  void afterSigkillTheIndexResumesFromItsLastCommitAndEndsWithExactlyTheCommittedEvents()
      throws Exception {
    Path data = work.resolve("data");
    try (SqliteEventStore store = new SqliteEventStore(SqliteDatabase.open(data))) {
      for (int from = 0; from < PER_TENANT; from += 500) {
        List<NewEvent> batch = new ArrayList<>();
        for (String t : TENANTS) {
          for (NewEvent e : LuceneSearchIndexTest.events(t, from + 500)) {
            if (e.seq() >= from) {
              batch.add(e);
            }
          }
        }
        store.append(WriteBatch.ofEvents(batch, List.of()));
      }
    }
    Path progress = work.resolve("progress");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                IndexingChild.class.getName(),
                data.toString(),
                progress.toString())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("child.log").toFile())
            .start();
    long committedSeen = 0;
    long acceptedSeen = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (committedSeen == 0 || acceptedSeen <= committedSeen) {
      assertTrue(
          System.nanoTime() < deadline,
          "the child never committed: " + Files.readString(work.resolve("child.log")));
      Thread.sleep(20);
      if (Files.exists(progress)) {
        String[] p = Files.readString(progress).trim().split(" ");
        if (p.length == 2) {
          committedSeen = Long.parseLong(p[0]);
          acceptedSeen = Long.parseLong(p[1]);
        }
      }
    }
    child.destroyForcibly(); // SIGKILL, mid-stream
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));

    try (SqliteEventStore store = new SqliteEventStore(SqliteDatabase.open(data));
        LuceneSearchIndex index = LuceneSearchIndex.open(data.resolve("search-index"), store)) {
      assertTrue(index.rebuiltBecause().isEmpty(), index.rebuiltBecause().toString());
      long resume = index.resumeFrom(store.lastPosition());
      assertTrue(
          resume >= committedSeen,
          "resumes at " + resume + ", but " + committedSeen + " was committed before the kill");
      assertTrue(resume < store.lastPosition(), "the kill came before the end");
      for (String t : TENANTS) {
        assertNoDuplicates(index, t);
      }
      long at = resume;
      for (List<FeedEvent> b = store.after(at, 700); !b.isEmpty(); b = store.after(at, 700)) {
        index.accept(b);
        at = b.get(b.size() - 1).position();
      }
      for (String t : TENANTS) {
        List<Long> found = assertNoDuplicates(index, t);
        assertEquals(PER_TENANT, found.size(), "tenant " + t);
        List<StoredEvent> sample =
            index.search(
                new SearchQuery(
                    t,
                    null,
                    null,
                    null,
                    null,
                    null,
                    "actor-1234",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    false,
                    10,
                    null));
        assertEquals(List.of(1234L), sample.stream().map(StoredEvent::seq).toList());
        assertTrue(sample.get(0).body().contains("\"tenant\":\"" + t + "\""));
      }
    }
  }

  /** Pages through the tenant's whole index newest first; returns the seqs found. */
  private static List<Long> assertNoDuplicates(LuceneSearchIndex index, String tenant) {
    List<Long> seqs = new ArrayList<>();
    Set<Long> unique = new HashSet<>();
    SearchQuery.Position after = null;
    while (true) {
      List<StoredEvent> page =
          index.search(
              new SearchQuery(
                  tenant, null, null, null, null, null, null, null, null, null, null, null, null,
                  null, null, false, 1000, after));
      for (StoredEvent e : page) {
        seqs.add(e.seq());
        assertTrue(unique.add(e.seq()), "tenant " + tenant + " seq " + e.seq() + " twice");
      }
      if (page.size() < 1000) {
        return seqs;
      }
      StoredEvent last = page.get(page.size() - 1);
      after = new SearchQuery.Position(last.occurredAtMicros(), last.seq());
    }
  }
}
