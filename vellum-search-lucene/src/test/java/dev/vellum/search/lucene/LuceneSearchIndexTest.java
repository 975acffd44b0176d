package dev.vellum.search.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.search.SearchQuery;
import dev.vellum.search.StatsBucket;
import dev.vellum.search.StatsQuery;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.StoreException;
import dev.vellum.store.StoredEvent;
import dev.vellum.store.WriteBatch;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteEventStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Lucene index as a feed consumer: it finds what it was handed by every indexed field, a
 * repeated delivery (at-least-once) changes nothing, it resumes from what it has committed, and a
 * deleted or damaged index is rebuilt from position 0.
 */
class LuceneSearchIndexTest {
  @TempDir Path dir;
  private SqliteDatabase db;
  private SqliteEventStore store;

  @BeforeEach
  void openStore() {
    db = SqliteDatabase.open(dir);
    store = new SqliteEventStore(db);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private Path indexDir() {
    return dir.resolve("search-index");
  }

  static List<NewEvent> events(String tenant, int count) {
    List<NewEvent> out = new ArrayList<>();
    for (int seq = 0; seq < count; seq++) {
      String id = UUID.randomUUID().toString();
      String body =
          "{\"actor\":{\"id\":\"actor-"
              + seq
              + "\"},\"id\":\""
              + id
              + "\",\"reason\":\"word"
              + seq
              + " common Café\",\"seq\":"
              + seq
              + ",\"tags\":[\"tag-"
              + (seq % 2)
              + "\"],\"targets\":[{\"id\":\"doc-"
              + seq
              + "\",\"type\":\"document\"}],\"tenant\":\""
              + tenant
              + "\",\"type\":\"USER_LOGIN\"}";
      out.add(
          new NewEvent(
              tenant,
              seq,
              id,
              1_000_000L + seq,
              2_000_000L,
              "USER_LOGIN",
              "authentication",
              "APP",
              "success",
              "info",
              "actor-" + seq,
              "192.0.2.1",
              "session-" + seq,
              new byte[32],
              body));
    }
    return out;
  }

  static SearchQuery query(
      String tenant, String actor, SearchQuery.FullText text, String tag, String targetId) {
    return new SearchQuery(
        tenant,
        null,
        null,
        null,
        null,
        null,
        actor,
        null,
        targetId == null ? null : "document",
        targetId,
        null,
        null,
        null,
        tag,
        text,
        false,
        100,
        null);
  }

  private static SearchQuery.FullText words(boolean prefix, String... words) {
    return new SearchQuery.FullText(List.of(words), prefix);
  }

  private static List<Long> seqs(List<StoredEvent> found) {
    return found.stream().map(StoredEvent::seq).sorted().toList();
  }

  /** Waits for nothing: the index makes what it accepted visible before answering. */
  @Test
  void findsHandedEventsByEveryIndexedFieldAndIgnoresARepeatedDelivery() {
    store.append(WriteBatch.ofEvents(events("t1", 6), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      List<FeedEvent> feed = store.after(0, 100);
      index.accept(feed);
      index.accept(feed.subList(2, 6)); // at-least-once: a redelivery after a crash
      assertEquals(List.of(3L), seqs(index.search(query("t1", "actor-3", null, null, null))));
      assertEquals(
          List.of(4L), seqs(index.search(query("t1", null, words(false, "word4"), null, null))));
      assertEquals(
          List.of(0L, 1L, 2L, 3L, 4L, 5L),
          seqs(index.search(query("t1", null, words(true, "comm"), null, null))));
      assertEquals(List.of(1L, 3L, 5L), seqs(index.search(query("t1", null, null, "tag-1", null))));
      assertEquals(List.of(5L), seqs(index.search(query("t1", null, null, null, "doc-5"))));
      assertEquals(
          List.of(), seqs(index.search(query("t1", null, words(false, "comm"), null, null))));
      assertEquals(
          6,
          index.search(query("t1", null, words(false, "cafe"), null, null)).size(),
          "diacritics are folded");
    }
  }

  /** A search through a position sees what was handed up to it, however recently. */
  @Test
  void aSearchThroughAPositionSeesEverythingHandedUpToIt() {
    store.append(WriteBatch.ofEvents(events("t1", 6), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      List<FeedEvent> feed = store.after(0, 100);
      index.accept(feed.subList(0, 3));
      long firstBatch = feed.get(2).position();
      assertEquals(
          List.of(0L, 1L, 2L), seqs(index.search(query("t1", null, null, null, null), firstBatch)));
      index.accept(feed.subList(3, 6));
      assertEquals(
          List.of(0L, 1L, 2L, 3L, 4L, 5L),
          seqs(index.search(query("t1", null, null, null, null), feed.get(5).position())));
      assertEquals(
          List.of(5L),
          seqs(index.search(query("t1", "actor-5", null, null, null), feed.get(5).position())));
    }
  }

  /**
   * Segments of one tenant only, of none, and mixed: the tenant clause matches a one-tenant segment
   * whole without its postings, and must still never reach across tenants.
   */
  @Test
  void aTenantSeesOnlyItsOwnEventsInOneTenantAndMixedSegments() {
    List<NewEvent> t1 = events("t1", 5);
    List<NewEvent> t2 = events("t2", 3);
    store.append(WriteBatch.ofEvents(t1.subList(0, 3), List.of()));
    store.append(WriteBatch.ofEvents(t2.subList(0, 2), List.of()));
    store.append(WriteBatch.ofEvents(t1.subList(3, 5), List.of()));
    store.append(WriteBatch.ofEvents(t2.subList(2, 3), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      List<FeedEvent> feed = store.after(0, 100);
      index.accept(feed.subList(0, 3)); // a segment of t1 only (each search below refreshes)
      assertEquals(3, index.search(query("t1", null, null, null, null)).size());
      index.accept(feed.subList(3, 5)); // a segment of t2 only
      assertEquals(2, index.search(query("t2", null, null, null, null)).size());
      index.accept(feed.subList(5, 8)); // a mixed segment
      assertEquals(5, index.search(query("t1", null, null, null, null)).size());
      assertEquals(3, index.search(query("t2", null, null, null, null)).size());
      assertEquals(List.of(0L), seqs(index.search(query("t2", "actor-0", null, null, null))));
      assertEquals(List.of(), index.search(query("t3", null, null, null, null)));
      for (StoredEvent e : index.search(query("t2", null, words(false, "common"), null, null))) {
        assertTrue(e.body().contains("\"tenant\":\"t2\""), e.body());
      }
    }
  }

  @Test
  void forgetsDeletedEventsAcrossAReopenAndStatsStopCountingThem() {
    store.append(WriteBatch.ofEvents(events("t1", 6), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      index.accept(store.after(0, 100));
      index.forget("t1", store.range("t1", 1, 3));
      store.deleteRange("t1", 1, 3);
      assertEquals(
          List.of(0L, 3L, 4L, 5L), seqs(index.search(query("t1", null, null, null, null))));
    }
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      assertEquals(
          List.of(0L, 3L, 4L, 5L), seqs(index.search(query("t1", null, null, null, null))));
      long counted =
          index
              .stats(
                  new dev.vellum.search.StatsQuery(
                      "t1",
                      0,
                      3_600_000_000L,
                      3_600_000_000L,
                      dev.vellum.search.StatsQuery.Group.of("type")))
              .stream()
              .mapToLong(dev.vellum.search.StatsBucket::count)
              .sum();
      assertEquals(4, counted);
    }
  }

  /** Another node's retention deleted events this index still holds: pages stay full. */
  @Test
  void aSearchSkipsAndForgetsEventsTheStoreDeletedBehindItsBackAndKeepsItsPageFull() {
    store.append(WriteBatch.ofEvents(events("t1", 8), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      index.accept(store.after(0, 100));
      store.deleteRange("t1", 4, 8); // the newest: the first page of a newest-first search
      SearchQuery three =
          new SearchQuery(
              "t1", null, null, null, null, null, null, null, null, null, null, null, null, null,
              null, false, 3, null);
      assertEquals(List.of(1L, 2L, 3L), seqs(index.search(three)));
      assertEquals(
          List.of(0L, 1L, 2L, 3L), seqs(index.search(query("t1", null, null, null, null))));
    }
  }

  /**
   * The index still holds documents of events retention deleted, and two of them were restored
   * since under new positions: the stale documents are forgotten by their position, so the restored
   * events are found once each.
   */
  @Test
  void staleDocumentsOfRestoredEventsAreForgottenWithoutHidingTheRestoredOnes() {
    List<NewEvent> written = events("t1", 8);
    store.append(WriteBatch.ofEvents(written, List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      index.accept(store.after(0, 100));
      long before = store.lastPosition();
      store.deleteRange("t1", 4, 8);
      store.restore("t1", written.subList(6, 8), Long.MAX_VALUE);
      index.accept(store.after(before, 100));
      List<StoredEvent> found = index.search(query("t1", null, null, null, null));
      assertEquals(List.of(7L, 6L, 3L, 2L, 1L, 0L), found.stream().map(StoredEvent::seq).toList());
      assertTrue(found.get(0).restored());
    }
  }

  @Test
  void answersNoQueryFormWithAnotherTenantsEvents() {
    store.append(WriteBatch.ofEvents(events("t1", 4), List.of()));
    store.append(WriteBatch.ofEvents(events("t2", 4), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      index.accept(store.after(0, 100));
      for (SearchQuery q :
          List.of(
              query("t3", null, null, null, null),
              query("t3", "actor-1", null, null, null),
              query("t3", null, words(true, "c"), null, null),
              query("t3", null, null, "tag-1", null),
              query("t3", null, null, null, "doc-1"))) {
        assertEquals(List.of(), index.search(q), q.toString());
      }
      List<StoredEvent> t2 = index.search(query("t2", null, words(true, "word"), null, null));
      assertEquals(4, t2.size());
      for (StoredEvent e : t2) {
        assertTrue(e.body().contains("\"tenant\":\"t2\""), e.body());
      }
    }
  }

  @Test
  void resumesFromTheLowerOfTheStoredPositionAndWhatItCommitted() throws Exception {
    store.append(WriteBatch.ofEvents(events("t1", 4), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      assertEquals(0, index.resumeFrom(4));
      index.accept(store.after(0, 3));
      index.commit();
      index.accept(store.after(3, 1)); // accepted, not committed: lost in a crash
    }
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      assertTrue(index.rebuiltBecause().isEmpty());
      assertEquals(4, index.resumeFrom(4), "close commits what was accepted");
      assertEquals(2, index.resumeFrom(2));
    }
  }

  @Test
  void aCommitHoldingEventsBeyondItsPositionYieldsNoDuplicatesWhenTheyAreDeliveredAgain()
      throws Exception {
    store.append(WriteBatch.ofEvents(events("t1", 6), List.of()));
    Path crashed = dir.resolve("crashed-index");
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      index.accept(store.after(0, 6));
      do { // the scheduled commit may record 6 in between; then try again
        if (Files.exists(crashed)) {
          deleteTree(crashed);
        }
        index.commitRecording(2); // all six documents are in the commit; its position says 2
        copyCommit(indexDir(), crashed); // what a crash right now leaves on disk
      } while (!recordedPosition(crashed).equals("2"));
    }
    try (LuceneSearchIndex index = LuceneSearchIndex.open(crashed, store)) {
      long from = index.resumeFrom(6);
      assertEquals(2, from);
      index.accept(store.after(from, 100));
      assertEquals(
          List.of(0L, 1L, 2L, 3L, 4L, 5L),
          seqs(index.search(query("t1", null, words(true, "comm"), null, null))));
    }
  }

  private static String recordedPosition(Path index) throws IOException {
    try (var d = FSDirectory.open(index);
        DirectoryReader r = DirectoryReader.open(d)) {
      return r.getIndexCommit().getUserData().get("vellum.feed.position");
    }
  }

  private static void copyCommit(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!f.getFileName().toString().equals("write.lock")) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
  }

  @Test
  void aDeletedIndexIsRebuiltFromTheStart() throws Exception {
    store.append(WriteBatch.ofEvents(events("t1", 4), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      index.accept(store.after(0, 100));
    }
    deleteTree(indexDir());
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      assertEquals(0, index.resumeFrom(4), "a deleted index is rebuilt from the start");
      assertTrue(index.rebuiltBecause().isPresent());
      index.accept(store.after(0, 100));
      assertEquals(4, index.search(query("t1", null, null, null, null)).size());
    }
  }

  @Test
  void aCorruptIndexIsRebuiltFromTheStartAndAnswersAsBefore() throws Exception {
    store.append(WriteBatch.ofEvents(events("t1", 50), List.of()));
    List<Long> before;
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      index.accept(store.after(0, 100));
      before = seqs(index.search(query("t1", null, words(true, "wor"), "tag-0", null)));
    }
    try (Stream<Path> files = Files.list(indexDir())) {
      for (Path f :
          files
              .filter(
                  f ->
                      !f.getFileName().toString().startsWith("segments")
                          && !f.getFileName().toString().equals("write.lock"))
              .toList()) {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
          raf.seek(raf.length() / 2);
          raf.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
      }
    }
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      assertTrue(index.rebuiltBecause().isPresent(), "checksums must find the damage");
      assertEquals(0, index.resumeFrom(50));
      index.accept(store.after(0, 100));
      assertEquals(
          before, seqs(index.search(query("t1", null, words(true, "wor"), "tag-0", null))));
    }
  }

  @Test
  void anIndexAheadOfTheLogIsRebuilt() {
    store.append(WriteBatch.ofEvents(events("t1", 4), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      index.accept(store.after(0, 100));
    }
    store.close();
    try (SqliteEventStore empty = new SqliteEventStore(SqliteDatabase.open(dir.resolve("o")));
        LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), empty)) {
      assertTrue(index.rebuiltBecause().orElseThrow().contains("beyond the log"));
      assertEquals(0, index.resumeFrom(4));
    }
    db = SqliteDatabase.open(dir);
    store = new SqliteEventStore(db);
  }

  @Test
  void statsCountOnlyTheTenantsEventsPerBucketAndGroup() {
    store.append(WriteBatch.ofEvents(events("t1", 6), List.of()));
    store.append(WriteBatch.ofEvents(events("t2", 4), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      index.accept(store.after(0, 100));
      // t1's events occurred at 1_000_000 + seq µs; buckets of 4 µs from 1_000_000
      StatsQuery t1 = new StatsQuery("t1", 1_000_000L, 1_000_008L, 4, StatsQuery.Group.TYPE);
      assertEquals(
          List.of(
              new StatsBucket(1_000_000L, "USER_LOGIN", 4),
              new StatsBucket(1_000_004L, "USER_LOGIN", 2)),
          sorted(index.stats(t1)));
      assertEquals(
          List.of(new StatsBucket(1_000_000L, "APP", 4)),
          sorted(
              index.stats(
                  new StatsQuery("t2", 0, 2_000_000L, 1_000_000L, StatsQuery.Group.SOURCE))),
          "t2's four events, in the bucket starting at 1 s");
      for (StatsQuery.Group g : StatsQuery.Group.values()) {
        assertEquals(List.of(), index.stats(new StatsQuery("t3", 0, Long.MAX_VALUE, 1L << 40, g)));
      }
    }
  }

  private static List<StatsBucket> sorted(List<StatsBucket> buckets) {
    return buckets.stream()
        .sorted(
            Comparator.comparingLong(StatsBucket::bucketStartMicros)
                .thenComparing(StatsBucket::group))
        .toList();
  }

  @Test
  void everyFileOfTheIndexIsOwnerOnlyWhateverTheUmask() throws Exception {
    store.append(WriteBatch.ofEvents(events("t1", 50), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      index.accept(store.after(0, 20));
      index.commit();
      index.accept(store.after(20, 100));
      index.commit();
      assertEquals(1, index.search(query("t1", "actor-33", null, null, null)).size());
      assertEquals("rwx------", mode(indexDir()));
      List<String> files = new ArrayList<>();
      try (Stream<Path> all = Files.list(indexDir())) {
        for (Path f : all.toList()) {
          files.add(f.getFileName() + " " + mode(f));
          assertEquals("rw-------", mode(f), f.toString());
        }
      }
      assertTrue(files.size() > 3, "segment files, segments_N and write.lock: " + files);
    }
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void anIndexWrittenWithAnOlderDocumentSchemaIsRebuilt() throws Exception {
    store.append(WriteBatch.ofEvents(events("t1", 4), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      index.accept(store.after(0, 100));
    }
    // what an index of the first schema recorded: the feed position only
    try (Directory d = FSDirectory.open(indexDir());
        IndexWriter w =
            new IndexWriter(
                d,
                new IndexWriterConfig()
                    .setOpenMode(IndexWriterConfig.OpenMode.APPEND)
                    .setIndexSort(LuceneQueries.NEWEST_FIRST))) {
      w.setLiveCommitData(Map.of("vellum.feed.position", "4").entrySet());
      w.commit();
    }
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      assertTrue(
          index.rebuiltBecause().orElseThrow().contains("schema"),
          index.rebuiltBecause().toString());
      assertEquals(0, index.resumeFrom(4));
    }
  }

  @Test
  void rebuildIndexesTheWholeLogAndCommitsItsLastPosition() throws Exception {
    store.append(WriteBatch.ofEvents(events("t1", 2_500), List.of()));
    store.append(WriteBatch.ofEvents(events("t2", 10), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      index.accept(store.after(0, 10)); // an index that covers only a little
    }
    List<Long> reported = new ArrayList<>();
    LuceneSearchIndex.Rebuilt r =
        LuceneSearchIndex.rebuild(
            indexDir(),
            store,
            (events, position, last) -> {
              assertEquals(2_510, last);
              reported.add(events);
            });
    assertEquals(new LuceneSearchIndex.Rebuilt(2_510, 2_510, List.of()), r);
    assertEquals(List.of(1_000L, 2_000L, 2_510L), reported);
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      assertTrue(index.rebuiltBecause().isEmpty(), index.rebuiltBecause().toString());
      assertEquals(2_510, index.resumeFrom(2_510), "the rebuild committed the log's last position");
      assertEquals(
          List.of(2_222L), seqs(index.search(query("t1", "actor-2222", null, null, null))));
      assertEquals(
          List.of(new StatsBucket(0, "USER_LOGIN", 2_500)),
          index.stats(new StatsQuery("t1", 0, 1L << 40, 1L << 40, StatsQuery.Group.TYPE)));
    }
  }

  @Test
  void rebuildRefusesAnIndexThatIsOpenAndLeavesItAlone() {
    store.append(WriteBatch.ofEvents(events("t1", 4), List.of()));
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir(), store)) {
      index.accept(store.after(0, 100));
      StoreException e =
          assertThrows(
              StoreException.class,
              () -> LuceneSearchIndex.rebuild(indexDir(), store, (n, p, l) -> {}));
      assertTrue(e.getMessage().contains("in use"), e.getMessage());
      assertEquals(4, index.search(query("t1", null, null, null, null)).size());
    }
  }

  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
