package dev.vellum.store.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.store.NewEvent;
import dev.vellum.store.PartitionRetention;
import dev.vellum.store.PartitionRetention.Partition;
import dev.vellum.store.StoredCheckpoint;
import dev.vellum.store.TileWrite;
import dev.vellum.store.WriteBatch;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retention by whole month partitions: what goes, what stays, and that writing continues. */
class PostgresPartitionRetentionTest {
  private final TestSchemas schemas = new TestSchemas();
  private PostgresEventStore store;
  private PartitionRetention retention;

  @BeforeEach
  void open() {
    store =
        new PostgresEventStore(PostgresDatabase.open(TestSchemas.settings(schemas.newSchema(), 3)));
    retention = store.partitionRetention().orElseThrow();
  }

  @AfterEach
  void close() throws Exception {
    store.close();
    schemas.dropAll();
  }

  private static long at(int year, int month, int day) {
    return Partitions.startMicros(YearMonth.of(year, month)) + (day - 1) * 86_400_000_000L;
  }

  /** Events of tenant t1 received on the given days, seqs from 0; with a tile and a checkpoint. */
  private List<NewEvent> seed(long... receivedAt) {
    List<NewEvent> events = new ArrayList<>();
    for (int i = 0; i < receivedAt.length; i++) {
      NewEvent e = PostgresMultiWriterTest.events("t1", i, 1).get(0);
      events.add(PostgresStorageTest.receivedAt(e, receivedAt[i]));
    }
    byte[] tile = new byte[32 * receivedAt.length];
    tile[0] = 7;
    StoredCheckpoint cp = new StoredCheckpoint(receivedAt.length, new byte[32], "note", 1);
    store.append(
        new WriteBatch(
            events,
            List.of(new TileWrite("t1", 0, 0, tile)),
            List.of(new WriteBatch.TenantCheckpoint("t1", cp)),
            Map.of("archiver", 3L),
            List.of()));
    return events;
  }

  @Test
  void dropsOnlyMonthsThatEndedBeforeTheCutoffAndKeepsTilesCheckpointsAndSequence() {
    List<NewEvent> events =
        seed(at(2026, 1, 3), at(2026, 1, 30), at(2026, 2, 14), at(2026, 3, 1), at(2026, 3, 20));
    long cutoff = at(2026, 3, 10); // March straddles the cutoff: it stays
    long now = at(2026, 6, 1);

    List<Partition> planned = retention.droppableBefore(cutoff);
    assertEquals(
        List.of("events_p202601", "events_p202602"),
        planned.stream().map(Partition::name).toList());
    assertEquals(List.of(2L, 1L), planned.stream().map(Partition::events).toList());
    assertEquals(planned, retention.dropBefore(cutoff, now));

    for (int i = 0; i < 3; i++) {
      assertTrue(store.findById("t1", events.get(i).id()).isEmpty(), "dropped: " + i);
    }
    assertEquals(events.get(3).id(), store.findById("t1", events.get(3).id()).orElseThrow().id());
    assertEquals(2, store.range("t1", 0, 5).size(), "seqs 3 and 4 stay");
    assertEquals(5, store.nextSeq("t1"), "the sequence continues after the dropped events");
    assertEquals(7, store.readTile("t1", 0, 0)[0], "tiles stay");
    assertEquals(5, store.latestCheckpoint("t1").orElseThrow().treeSize(), "checkpoints stay");
    assertEquals(3, store.consumerPosition("archiver"));
    assertEquals(List.of(), retention.droppableBefore(cutoff), "nothing left to drop");

    NewEvent next =
        PostgresStorageTest.receivedAt(PostgresMultiWriterTest.events("t1", 5, 1).get(0), now);
    store.append(WriteBatch.ofEvents(List.of(next), List.of()));
    assertEquals(6, store.nextSeq("t1"));
    assertArrayEquals(
        next.id().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        store
            .findById("t1", next.id())
            .orElseThrow()
            .id()
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void neverDropsTheDefaultPartitionNorAcceptsACutoffInTheFuture() {
    long now = System.currentTimeMillis() * 1_000;
    seed(now);
    assertThrows(IllegalArgumentException.class, () -> retention.dropBefore(now + 1, now));
    List<Partition> dropped = retention.dropBefore(now, now);
    assertTrue(
        dropped.stream().noneMatch(p -> p.toMicros() > now || p.name().equals("events_default")),
        dropped.toString());
    assertEquals(1, store.range("t1", 0, 1).size(), "the current month stays");
  }
}
