package dev.vellum.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guarantees every {@link EventStore} engine gives, as tests. An engine's test extends this
 * class and says how to open its store on a directory; each test uses a fresh one.
 */
public abstract class EventStoreContract {
  @TempDir protected Path dir;
  protected EventStore store;

  /** Opens (creating if needed) the engine's store with its data under {@code dir}. */
  protected abstract EventStore open(Path dir);

  @BeforeEach
  void openStore() {
    store = open(dir);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private void reopen() {
    store.close();
    store = open(dir);
  }

  @Test
  void appendedEventsAreThereAfterReopening() {
    List<NewEvent> events = events("t1", 0, 3);
    store.append(WriteBatch.ofEvents(events, List.of()));
    reopen();
    for (NewEvent e : events) {
      StoredEvent stored = store.findById("t1", e.id()).orElseThrow();
      assertEquals(e.seq(), stored.seq());
      assertEquals(e.body(), stored.body());
      assertArrayEquals(e.leafHash(), stored.leafHash());
    }
    assertEquals(3, store.nextSeq("t1"));
  }

  @Test
  void nextSeqCountsEachTenantSeparately() {
    store.append(WriteBatch.ofEvents(concat(events("a", 0, 2), events("b", 0, 5)), List.of()));
    assertEquals(2, store.nextSeq("a"));
    assertEquals(5, store.nextSeq("b"));
    assertEquals(0, store.nextSeq("c"));
  }

  @Test
  void rejectsABatchThatSkipsASeqAndWritesNothingOfIt() {
    store.append(WriteBatch.ofEvents(events("t1", 0, 2), List.of()));
    long before = store.lastPosition();
    List<NewEvent> gap = concat(events("t2", 0, 1), events("t1", 3, 1));
    assertThrows(StoreException.class, () -> store.append(WriteBatch.ofEvents(gap, List.of())));
    assertEquals(before, store.lastPosition());
    assertEquals(0, store.nextSeq("t2"));
    assertTrue(store.findById("t2", gap.get(0).id()).isEmpty());
  }

  @Test
  void fencesOffAStaleWriterWhoseSeqsNoLongerContinueTheLog() {
    store.append(WriteBatch.ofEvents(events("t1", 0, 3), List.of()));
    // a second writer that still believes the tenant has 2 events
    List<NewEvent> stale = events("t1", 2, 2);
    assertThrows(StoreException.class, () -> store.append(WriteBatch.ofEvents(stale, List.of())));
    assertEquals(3, store.nextSeq("t1"));
    assertTrue(store.findById("t1", stale.get(1).id()).isEmpty());
  }

  @Test
  void rejectsAStoredIdAndWritesNothingOfTheBatchNotEvenItsTiles() {
    NewEvent first = events("t1", 0, 1).get(0);
    store.append(WriteBatch.ofEvents(List.of(first), List.of()));
    NewEvent again = withId(events("t1", 1, 1).get(0), first.id());
    TileWrite tile = new TileWrite("t1", 0, 0, new byte[64]);
    assertThrows(
        StoreException.class,
        () -> store.append(WriteBatch.ofEvents(List.of(again), List.of(tile))));
    assertEquals(1, store.nextSeq("t1"));
    assertEquals(null, store.readTile("t1", 0, 0));
  }

  @Test
  void aStagedAppendWritesTheBatchItsStagerComputesAgainstTheHeadsGiven() {
    store.append(WriteBatch.ofEvents(events("t1", 0, 2), List.of()));
    List<Map<String, Long>> given = new ArrayList<>();
    long first =
        store.append(
            Set.of("t1", "t2"),
            heads -> {
              given.add(Map.copyOf(heads));
              // an engine with one writer passes no heads: the writer's own count is right
              long t1 = heads.getOrDefault("t1", 2L);
              long t2 = heads.getOrDefault("t2", 0L);
              return WriteBatch.ofEvents(
                  concat(events("t1", t1, 3), events("t2", t2, 1)), List.of());
            });
    assertEquals(1, given.size(), "the stager runs once");
    Map<String, Long> heads = given.get(0);
    assertTrue(heads.isEmpty() || heads.equals(Map.of("t1", 2L, "t2", 0L)), heads.toString());
    assertEquals(5, store.nextSeq("t1"));
    assertEquals(1, store.nextSeq("t2"));
    assertEquals(3, first);
  }

  @Test
  void aStagerThatFailsLeavesNothingWritten() {
    store.append(WriteBatch.ofEvents(events("t1", 0, 1), List.of()));
    long before = store.lastPosition();
    assertThrows(
        IllegalStateException.class,
        () ->
            store.append(
                Set.of("t1"),
                heads -> {
                  throw new IllegalStateException("the writer could not stage");
                }));
    assertEquals(before, store.lastPosition());
    assertEquals(1, store.nextSeq("t1"));
    store.append(WriteBatch.ofEvents(events("t1", 1, 1), List.of()));
    assertEquals(2, store.nextSeq("t1"));
  }

  @Test
  void findsIdsOnlyWithinTheirTenant() {
    NewEvent a = events("a", 0, 1).get(0);
    store.append(WriteBatch.ofEvents(List.of(a), List.of()));
    assertEquals(Set.of(a.id()), store.findByIds("a", List.of(a.id(), "x")).keySet());
    assertTrue(store.findByIds("b", List.of(a.id())).isEmpty());
    assertTrue(store.findById("b", a.id()).isEmpty());
  }

  @Test
  void writesTilesInTheSameTransactionAsTheirEvents() {
    byte[] hashes = new byte[96];
    new Random(1).nextBytes(hashes);
    store.append(
        WriteBatch.ofEvents(events("t1", 0, 3), List.of(new TileWrite("t1", 0, 0, hashes))));
    assertArrayEquals(hashes, store.readTile("t1", 0, 0));
    byte[] grown = new byte[128];
    store.append(
        WriteBatch.ofEvents(events("t1", 3, 1), List.of(new TileWrite("t1", 0, 0, grown))));
    assertArrayEquals(grown, store.readTile("t1", 0, 0));
  }

  @Test
  void assignsConsecutivePositionsInCommitOrderAcrossTenants() {
    long first = store.append(WriteBatch.ofEvents(events("a", 0, 2), List.of()));
    long second =
        store.append(WriteBatch.ofEvents(concat(events("b", 0, 1), events("a", 2, 1)), List.of()));
    assertTrue(first > 0);
    assertEquals(first + 2, second);
    List<FeedEvent> feed = store.after(0, 100);
    assertEquals(
        List.of(first, first + 1, second, second + 1),
        feed.stream().map(FeedEvent::position).toList());
    assertEquals(List.of("a", "a", "b", "a"), feed.stream().map(f -> f.event().tenant()).toList());
    assertEquals(second + 1, store.lastPosition());
    assertEquals(second + 1, store.lastPosition("a"));
    assertEquals(second, store.lastPosition("b"));
    assertEquals(0, store.lastPosition("nobody"));
    assertEquals(
        List.of(second, second + 1),
        store.after(first + 1, 100).stream().map(FeedEvent::position).toList());
    assertEquals(1, store.after(0, 1).size());
  }

  @Test
  void feedEventsCarryEverythingTheCommitWrote() {
    NewEvent e = events("t1", 0, 1).get(0);
    store.append(WriteBatch.ofEvents(List.of(e), List.of()));
    NewEvent read = store.after(0, 1).get(0).event();
    assertEquals(e.body(), read.body());
    assertArrayEquals(e.leafHash(), read.leafHash());
    assertEquals(
        List.of(
            e.tenant(),
            e.seq(),
            e.id(),
            e.occurredAtMicros(),
            e.receivedAtMicros(),
            e.type(),
            e.actorId()),
        List.of(
            read.tenant(),
            read.seq(),
            read.id(),
            read.occurredAtMicros(),
            read.receivedAtMicros(),
            read.type(),
            read.actorId()));
  }

  /**
   * Sequential visibility under attack: several writers append at once, some of their batches are
   * rolled back, and a reader polls the feed all the while, remembering only its position. What it
   * read must be exactly the committed events, in position order, none skipped.
   */
  @Test
  void aReaderPollingDuringConcurrentAppendsAndRollbacksSkipsNothing() throws Exception {
    int writers = 4;
    int batchesPerWriter = 60;
    Map<String, Boolean> committed = new ConcurrentHashMap<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    List<FeedEvent> read = Collections.synchronizedList(new ArrayList<>());
    Thread reader =
        new Thread(
            () -> {
              long position = 0;
              while (true) {
                boolean last = !writing.get();
                List<FeedEvent> page = store.after(position, 37);
                for (FeedEvent f : page) {
                  read.add(f);
                  position = f.position();
                }
                if (last && page.isEmpty()) {
                  return;
                }
              }
            });
    reader.start();
    CountDownLatch done = new CountDownLatch(writers);
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (int w = 0; w < writers; w++) {
      String tenant = "w" + w;
      Random random = new Random(w);
      new Thread(
              () -> {
                try {
                  long seq = 0;
                  for (int b = 0; b < batchesPerWriter; b++) {
                    List<NewEvent> batch = events(tenant, seq, 1 + random.nextInt(5));
                    if (random.nextInt(4) == 0 && seq > 0) {
                      // repeats a stored id: the whole batch must roll back
                      batch.set(
                          batch.size() - 1,
                          withId(
                              batch.get(batch.size() - 1), store.range(tenant, 0, 1).get(0).id()));
                      List<NewEvent> doomed = batch;
                      assertThrows(
                          StoreException.class,
                          () -> store.append(WriteBatch.ofEvents(doomed, List.of())));
                      continue;
                    }
                    store.append(WriteBatch.ofEvents(batch, List.of()));
                    batch.forEach(e -> committed.put(e.id(), true));
                    seq += batch.size();
                  }
                } catch (Throwable t) {
                  failures.add(t);
                } finally {
                  done.countDown();
                }
              })
          .start();
    }
    done.await();
    writing.set(false);
    reader.join();
    assertEquals(List.of(), failures);
    List<Long> positions = read.stream().map(FeedEvent::position).toList();
    List<Long> sorted = new ArrayList<>(positions);
    Collections.sort(sorted);
    assertEquals(sorted, positions, "positions in order");
    assertEquals(positions.size(), Set.copyOf(positions).size(), "no position twice");
    assertEquals(committed.keySet(), Set.copyOf(read.stream().map(f -> f.event().id()).toList()));
    assertEquals(store.after(0, Integer.MAX_VALUE).size(), read.size());
  }

  @Test
  void keepsConsumerPositionsDurablyAndNeverMovesThemBack() {
    assertEquals(0, store.consumerPosition("search"));
    store.append(positions(Map.of("search", 42L, "archive", 7L)));
    store.append(positions(Map.of("search", 40L)));
    reopen();
    assertEquals(42, store.consumerPosition("search"));
    assertEquals(7, store.consumerPosition("archive"));
  }

  @Test
  void keepsDeadLettersPerConsumerInPositionOrder() {
    store.append(
        new WriteBatch(
            List.of(),
            List.of(),
            List.of(),
            Map.of(),
            List.of(
                new DeadLetter("rules", 9, "t1", 8, "id-9", "boom", 5, 1_000),
                new DeadLetter("rules", 3, "t1", 2, "id-3", "bang", 5, 2_000),
                new DeadLetter("search", 4, "t2", 0, "id-4", "oops", 1, 3_000))));
    reopen();
    List<DeadLetter> rules = store.deadLetters("rules", 10);
    assertEquals(List.of(3L, 9L), rules.stream().map(DeadLetter::position).toList());
    assertEquals("bang", rules.get(0).error());
    assertEquals(1, store.deadLetters("rules", 1).size());
  }

  @Test
  void keepsOneCheckpointPerTreeSize() {
    StoredCheckpoint first = new StoredCheckpoint(5, new byte[32], "note one", 1);
    StoredCheckpoint second = new StoredCheckpoint(5, new byte[32], "note two", 2);
    StoredCheckpoint larger = new StoredCheckpoint(9, new byte[32], "note three", 3);
    store.append(checkpoints("t1", first, second));
    store.append(checkpoints("t1", larger));
    assertEquals("note one", store.checkpoint("t1", 5).orElseThrow().note());
    assertEquals(9, store.latestCheckpoint("t1").orElseThrow().treeSize());
    assertEquals(
        List.of(5L, 9L),
        store.checkpoints("t1", 0, 10).stream().map(StoredCheckpoint::treeSize).toList());
    assertTrue(store.latestCheckpoint("t2").isEmpty());
  }

  @Test
  void readsARangeOfSeqsInOrder() {
    store.append(WriteBatch.ofEvents(events("t1", 0, 6), List.of()));
    assertEquals(
        List.of(2L, 3L, 4L), store.range("t1", 2, 5).stream().map(StoredEvent::seq).toList());
  }

  @Test
  void findsSeqsOnlyWithinTheirTenant() {
    store.append(WriteBatch.ofEvents(concat(events("a", 0, 4), events("b", 0, 2)), List.of()));
    assertEquals(Set.of(1L, 3L), store.findBySeqs("a", List.of(1L, 3L, 9L)).keySet());
    assertEquals(Set.of(1L), store.findBySeqs("b", List.of(1L, 3L)).keySet());
    assertTrue(store.findBySeqs("c", List.of(0L)).isEmpty());
  }

  @Test
  void findsPositionsOnlyWithinTheirTenantKeyedByPosition() {
    store.append(WriteBatch.ofEvents(concat(events("a", 0, 3), events("b", 0, 2)), List.of()));
    Map<String, Long> positionOf = new HashMap<>();
    for (FeedEvent f : store.after(0, 100)) {
      positionOf.put(f.event().tenant() + ":" + f.event().seq(), f.position());
    }
    long a2 = positionOf.get("a:2");
    long b1 = positionOf.get("b:1");
    Map<Long, StoredEvent> found = store.findByPositions("a", List.of(a2, b1, a2 + 1_000));
    assertEquals(Set.of(a2), found.keySet());
    assertEquals(2, found.get(a2).seq());
    assertEquals(1, store.findByPositions("b", List.of(b1)).get(b1).seq());
    assertTrue(store.findByPositions("c", List.of(a2)).isEmpty());
  }

  @Test
  void deletingTheNewestEventsNeverLetsSeqsOrPositionsGoBack() {
    store.append(WriteBatch.ofEvents(events("t1", 0, 5), List.of()));
    store.append(WriteBatch.ofEvents(events("t2", 0, 1), List.of()));
    store.append(WriteBatch.ofEvents(events("t1", 5, 1), List.of()));
    long last = store.lastPosition();
    long lastOfT1 = store.lastPosition("t1");
    assertEquals(4, store.deleteRange("t1", 2, 6));
    assertEquals(1, store.deleteRange("t2", 0, 1));
    reopen();
    assertEquals(6, store.nextSeq("t1"));
    assertEquals(1, store.nextSeq("t2"));
    assertEquals(last, store.lastPosition());
    assertEquals(lastOfT1, store.lastPosition("t1"));
    List<NewEvent> stale = events("t1", 2, 1);
    assertThrows(StoreException.class, () -> store.append(WriteBatch.ofEvents(stale, List.of())));
    long next = store.append(WriteBatch.ofEvents(events("t1", 6, 2), List.of()));
    assertEquals(last + 1, next, "positions continue after the deleted ones, none reused");
    assertEquals(8, store.nextSeq("t1"));
    assertEquals(
        List.of(0L, 1L, 6L, 7L), store.range("t1", 0, 100).stream().map(StoredEvent::seq).toList());
  }

  @Test
  void deletedEventsAreFoundByNoReadButTheLogAndTheirIdsStay() {
    List<NewEvent> t1 = events("t1", 0, 4);
    byte[] hashes = new byte[128];
    new Random(2).nextBytes(hashes);
    store.append(WriteBatch.ofEvents(t1, List.of(new TileWrite("t1", 0, 0, hashes))));
    store.append(WriteBatch.ofEvents(events("t2", 0, 2), List.of()));
    store.append(checkpoints("t1", new StoredCheckpoint(4, new byte[32], "note", 1)));
    assertEquals(2, store.deleteRange("t1", 1, 3));
    assertTrue(store.findById("t1", t1.get(1).id()).isEmpty());
    assertEquals(
        Set.of(t1.get(0).id()),
        store.findByIds("t1", List.of(t1.get(0).id(), t1.get(2).id())).keySet());
    assertEquals(Set.of(0L, 3L), store.findBySeqs("t1", List.of(0L, 1L, 2L, 3L)).keySet());
    assertEquals(
        List.of("t1:0", "t1:3", "t2:0", "t2:1"),
        store.after(0, 100).stream().map(f -> f.event().tenant() + ":" + f.event().seq()).toList());
    assertEquals(java.util.OptionalLong.of(1), store.deletedSeq("t1", t1.get(1).id()));
    assertEquals(java.util.OptionalLong.of(2), store.deletedSeq("t1", t1.get(2).id()));
    assertTrue(store.deletedSeq("t1", t1.get(0).id()).isEmpty(), "a hot event is not deleted");
    assertTrue(store.deletedSeq("t2", t1.get(1).id()).isEmpty(), "ids stay within their tenant");
    assertArrayEquals(hashes, store.readTile("t1", 0, 0));
    assertEquals("note", store.checkpoint("t1", 4).orElseThrow().note());
    assertEquals(2, store.range("t2", 0, 10).size());
    assertEquals(0, store.deleteRange("t1", 1, 3), "deleting again finds nothing");
  }

  @Test
  void aDeletedIdIsAcceptedAgainAsANewEventBecauseIdempotencyHoldsForTheHotWindow() {
    NewEvent first = events("t1", 0, 1).get(0);
    store.append(WriteBatch.ofEvents(List.of(first), List.of()));
    store.deleteRange("t1", 0, 1);
    NewEvent retry = withId(events("t1", 1, 1).get(0), first.id());
    store.append(WriteBatch.ofEvents(List.of(retry), List.of()));
    assertEquals(1, store.findById("t1", first.id()).orElseThrow().seq());
    assertEquals(2, store.nextSeq("t1"));
  }

  @Test
  void refusesToDeleteSeqsNotWrittenYetAndDeletesNothing() {
    store.append(WriteBatch.ofEvents(events("t1", 0, 3), List.of()));
    assertThrows(IllegalArgumentException.class, () -> store.deleteRange("t1", 0, 4));
    assertThrows(IllegalArgumentException.class, () -> store.deleteRange("t1", 2, 1));
    assertThrows(IllegalArgumentException.class, () -> store.deleteRange("t1", -1, 1));
    assertThrows(IllegalArgumentException.class, () -> store.deleteRange("nobody", 0, 1));
    assertEquals(3, store.range("t1", 0, 10).size());
    assertEquals(0, store.deleteRange("nobody", 0, 0));
    store.append(WriteBatch.ofEvents(events("t1", 3, 1), List.of()));
    assertEquals(4, store.nextSeq("t1"));
  }

  @Test
  void restorePutsDeletedEventsBackWithTheirSeqsUnderNewFeedPositionsMarkedRestored() {
    List<NewEvent> t1 = events("t1", 0, 5);
    byte[] hashes = new byte[160];
    new Random(3).nextBytes(hashes);
    store.append(WriteBatch.ofEvents(t1, List.of(new TileWrite("t1", 0, 0, hashes))));
    store.append(WriteBatch.ofEvents(events("t2", 0, 1), List.of()));
    assertEquals(3, store.deleteRange("t1", 1, 4));
    long before = store.lastPosition();
    long first = store.restore("t1", List.of(t1.get(2), t1.get(1)), 5_000_000L);
    reopen();
    assertEquals(before + 1, first, "restored events get the next feed positions");
    assertEquals(before + 2, store.lastPosition());
    assertEquals(before + 2, store.lastPosition("t1"));
    assertEquals(5, store.nextSeq("t1"), "restore never re-sequences");
    assertArrayEquals(hashes, store.readTile("t1", 0, 0), "the log is unchanged");
    StoredEvent back = store.findById("t1", t1.get(1).id()).orElseThrow();
    assertEquals(1, back.seq());
    assertEquals(t1.get(1).body(), back.body());
    assertArrayEquals(t1.get(1).leafHash(), back.leafHash());
    assertEquals(5_000_000L, back.restoredUntilMicros());
    assertTrue(back.restored());
    assertTrue(!store.findById("t1", t1.get(0).id()).orElseThrow().restored());
    assertEquals(
        List.of(0L, 1L, 2L, 4L), store.range("t1", 0, 10).stream().map(StoredEvent::seq).toList());
    assertEquals(Set.of(1L, 2L), store.findBySeqs("t1", List.of(1L, 2L, 3L)).keySet());
    List<FeedEvent> feed = store.after(before, 10);
    assertEquals(List.of(2L, 1L), feed.stream().map(f -> f.event().seq()).toList());
    assertEquals(List.of(before + 1, before + 2), feed.stream().map(FeedEvent::position).toList());
    assertTrue(feed.stream().allMatch(FeedEvent::restored));
    assertEquals(t1.get(2).receivedAtMicros(), feed.get(0).event().receivedAtMicros());
    assertTrue(store.after(0, 2).stream().noneMatch(FeedEvent::restored));
    long next = store.append(WriteBatch.ofEvents(events("t1", 5, 1), List.of()));
    assertEquals(before + 3, next, "appends continue after the restored positions");
  }

  @Test
  void refusesToRestoreASeqNeverDeletedPresentOrUnderAnotherIdAndWritesNothing() {
    List<NewEvent> t1 = events("t1", 0, 4);
    store.append(WriteBatch.ofEvents(t1, List.of()));
    store.deleteRange("t1", 2, 4);
    long before = store.lastPosition();
    NewEvent deleted = t1.get(2);
    assertThrows(
        IllegalArgumentException.class,
        () -> store.restore("t1", List.of(deleted, t1.get(0)), 1L),
        "seq 0 is present");
    assertThrows(
        IllegalArgumentException.class,
        () -> store.restore("t1", List.of(deleted, deleted), 1L),
        "twice in one restore");
    assertThrows(
        IllegalArgumentException.class,
        () -> store.restore("t1", List.of(withId(deleted, UUID.randomUUID().toString())), 1L),
        "another id at a deleted seq");
    assertThrows(
        IllegalArgumentException.class,
        () -> store.restore("t1", events("t1", 4, 1), 1L),
        "a seq not written yet");
    assertThrows(
        IllegalArgumentException.class,
        () -> store.restore("t2", List.of(deleted), 1L),
        "an event of another tenant");
    assertEquals(before, store.lastPosition());
    assertEquals(List.of(0L, 1L), store.range("t1", 0, 10).stream().map(StoredEvent::seq).toList());
    store.restore("t1", List.of(deleted), 1L);
    assertThrows(
        IllegalArgumentException.class,
        () -> store.restore("t1", List.of(deleted), 1L),
        "already restored");
    assertEquals(before + 1, store.lastPosition());
    assertEquals(before + 1, store.restore("t1", List.of(), 1L), "nothing to restore");
  }

  @Test
  void restoredEventsExpireInSeqOrderAndCanBeDeletedAndRestoredAgain() {
    List<NewEvent> t1 = events("t1", 0, 6);
    store.append(WriteBatch.ofEvents(t1, List.of()));
    store.deleteRange("t1", 0, 6);
    store.restore("t1", List.of(t1.get(4), t1.get(1)), 2_000L);
    store.restore("t1", List.of(t1.get(2)), 1_000L);
    assertEquals(List.of(), store.restoredExpiring("t1", 999L, 10));
    assertEquals(
        List.of(1L, 2L, 4L),
        store.restoredExpiring("t1", 2_000L, 10).stream().map(StoredEvent::seq).toList());
    assertEquals(
        List.of(2L),
        store.restoredExpiring("t1", 1_500L, 10).stream().map(StoredEvent::seq).toList());
    assertEquals(
        List.of(1L),
        store.restoredExpiring("t1", 5_000L, 1).stream().map(StoredEvent::seq).toList());
    assertEquals(List.of(), store.restoredExpiring("t2", 5_000L, 10));
    assertEquals(3, store.deleteRange("t1", 0, 6));
    assertTrue(store.findById("t1", t1.get(1).id()).isEmpty());
    assertEquals(java.util.OptionalLong.of(4), store.deletedSeq("t1", t1.get(4).id()));
    store.restore("t1", List.of(t1.get(4)), 3_000L);
    assertEquals(3_000L, store.findById("t1", t1.get(4).id()).orElseThrow().restoredUntilMicros());
    assertEquals(6, store.nextSeq("t1"));
  }

  private static WriteBatch positions(Map<String, Long> positions) {
    return new WriteBatch(List.of(), List.of(), List.of(), positions, List.of());
  }

  private static WriteBatch checkpoints(String tenant, StoredCheckpoint... cps) {
    List<WriteBatch.TenantCheckpoint> all = new ArrayList<>();
    for (StoredCheckpoint c : cps) {
      all.add(new WriteBatch.TenantCheckpoint(tenant, c));
    }
    return new WriteBatch(List.of(), List.of(), all, Map.of(), List.of());
  }

  private static List<NewEvent> concat(List<NewEvent> a, List<NewEvent> b) {
    List<NewEvent> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** {@code count} events of {@code tenant} with seqs from {@code firstSeq}. */
  protected static List<NewEvent> events(String tenant, long firstSeq, int count) {
    List<NewEvent> out = new ArrayList<>();
    for (long seq = firstSeq; seq < firstSeq + count; seq++) {
      String id = UUID.randomUUID().toString();
      String body =
          "{\"id\":\""
              + id
              + "\",\"seq\":"
              + seq
              + ",\"tenant\":\""
              + tenant
              + "\",\"type\":\"USER_LOGIN\"}";
      byte[] leaf = dev.vellum.core.merkle.Rfc6962.leafHash(body.getBytes(StandardCharsets.UTF_8));
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
              null,
              leaf,
              body));
    }
    return out;
  }

  private static NewEvent withId(NewEvent e, String id) {
    return new NewEvent(
        e.tenant(),
        e.seq(),
        id,
        e.occurredAtMicros(),
        e.receivedAtMicros(),
        e.type(),
        e.category(),
        e.source(),
        e.outcome(),
        e.severity(),
        e.actorId(),
        e.actorIp(),
        e.sessionId(),
        e.leafHash(),
        e.body());
  }
}
