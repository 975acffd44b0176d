package dev.vellum.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.store.RecordStore.Entry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guarantees every {@link RecordStore} engine gives, as tests; an engine extends this. */
public abstract class RecordStoreContract {
  /** An engine's record store and what closes its database. */
  public record Opened(RecordStore records, AutoCloseable database) {}

  @TempDir protected Path dir;
  private Opened opened;
  private RecordStore records;

  /** Opens (creating if needed) the engine's records with their data under {@code dir}. */
  protected abstract Opened open(Path dir);

  @BeforeEach
  void openStore() {
    opened = open(dir);
    records = opened.records();
  }

  @AfterEach
  void closeStore() throws Exception {
    opened.database().close();
  }

  private void reopen() throws Exception {
    closeStore();
    openStore();
  }

  @Test
  void writtenRecordIsThereAfterReopening() throws Exception {
    assertEquals(1, records.put(Entry.of("rule", "t1", "r1", "{\"a\":1}", 10), RecordStore.ABSENT));
    reopen();
    Entry e = records.get("rule", "t1", "r1").orElseThrow();
    assertEquals("{\"a\":1}", e.body());
    assertEquals(1, e.version());
    assertEquals(10, e.updatedAtMicros());
  }

  @Test
  void putIfAbsentRefusesAnExistingRecord() {
    records.put(Entry.of("rule", "t1", "r1", "{}", 1), RecordStore.ABSENT);
    assertEquals(-1, records.put(Entry.of("rule", "t1", "r1", "{\"b\":2}", 2), RecordStore.ABSENT));
    assertEquals("{}", records.get("rule", "t1", "r1").orElseThrow().body());
  }

  @Test
  void compareAndSetWritesOnlyOverTheExpectedVersion() {
    Entry first = Entry.of("rule", "t1", "r1", "{}", 1);
    records.put(first, RecordStore.ABSENT);
    assertEquals(2, records.put(first.withBody("{\"v\":2}", 2), 1));
    assertEquals(-1, records.put(first.withBody("{\"v\":\"stale\"}", 3), 1));
    assertEquals("{\"v\":2}", records.get("rule", "t1", "r1").orElseThrow().body());
    assertEquals(3, records.put(first.withBody("{\"v\":3}", 4), RecordStore.ANY_VERSION));
  }

  @Test
  void concurrentCompareAndSetLetsExactlyOneWriterWinEachVersion() throws Exception {
    records.put(Entry.of("counter", "t1", "c", "0", 1), RecordStore.ABSENT);
    AtomicInteger wins = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        all.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    while (true) {
                      Entry now = records.get("counter", "t1", "c").orElseThrow();
                      String next = Integer.toString(Integer.parseInt(now.body()) + 1);
                      if (records.put(now.withBody(next, 2), now.version()) > 0) {
                        wins.incrementAndGet();
                        break;
                      }
                    }
                  }
                }));
      }
      for (Future<?> f : all) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(100, wins.get());
    assertEquals("100", records.get("counter", "t1", "c").orElseThrow().body());
  }

  @Test
  void listsPageInIdOrderPerTenantAndStatus() {
    for (String id : List.of("b", "a", "d", "c")) {
      records.put(
          Entry.of("alert", "t1", id, "{}", 1).withStatus(id.equals("c") ? "acked" : "firing", 0),
          RecordStore.ANY_VERSION);
    }
    records.put(Entry.of("alert", "t2", "a", "{}", 1), RecordStore.ANY_VERSION);
    records.put(Entry.of("rule", "t1", "z", "{}", 1), RecordStore.ANY_VERSION);
    assertEquals(List.of("a", "b"), ids(records.list("alert", "t1", null, "", 2)));
    assertEquals(List.of("c", "d"), ids(records.list("alert", "t1", null, "b", 10)));
    assertEquals(List.of("a", "b", "d"), ids(records.list("alert", "t1", "firing", "", 10)));
    assertEquals(4, records.count("alert", "t1", null));
    assertEquals(1, records.count("alert", "t1", "acked"));
    assertEquals(1, records.count("alert", "t2", null));
  }

  @Test
  void dueListsScheduledRecordsOfAllTenantsEarliestFirst() {
    records.put(Entry.of("delivery", "t1", "x", "{}", 1).withStatus("pending", 300), -1);
    records.put(Entry.of("delivery", "t2", "y", "{}", 1).withStatus("pending", 100), -1);
    records.put(Entry.of("delivery", "t1", "z", "{}", 1).withStatus("pending", 0), -1);
    records.put(Entry.of("delivery", "t1", "w", "{}", 1).withStatus("dead", 50), -1);
    records.put(Entry.of("delivery", "t1", "v", "{}", 1).withStatus("pending", 900), -1);
    assertEquals(List.of("y", "x"), ids(records.due("delivery", "pending", 300, 10)));
    assertEquals(List.of("y"), ids(records.due("delivery", "pending", 300, 1)));
  }

  @Test
  void putAllWritesEveryRecordAndBumpsVersions() {
    records.putAll(List.of(Entry.of("w", "t1", "a", "{}", 1), Entry.of("w", "t1", "b", "{}", 1)));
    assertEquals(2, records.count("w", "t1", null));
    records.putAll(List.of(Entry.of("w", "t1", "a", "{\"again\":true}", 2)));
    Entry again = records.get("w", "t1", "a").orElseThrow();
    assertEquals(2, again.version());
    assertEquals("{\"again\":true}", again.body());
  }

  @Test
  void deleteRemovesOnlyThatRecord() {
    records.put(Entry.of("hold", "t1", "h1", "{}", 1), RecordStore.ABSENT);
    records.put(Entry.of("hold", "t1", "h2", "{}", 1), RecordStore.ABSENT);
    assertTrue(records.delete("hold", "t1", "h1"));
    assertFalse(records.delete("hold", "t1", "h1"));
    assertEquals(List.of("h2"), ids(records.list("hold", "t1", null, "", 10)));
  }

  @Test
  void rejectsOversizedKeysAndBodies() {
    String long201 = "k".repeat(RecordStore.MAX_KEY_LENGTH + 1);
    assertThrows(IllegalArgumentException.class, () -> Entry.of("rule", "t1", long201, "{}", 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> Entry.of("rule", "t1", "r", "x".repeat(RecordStore.MAX_BODY_LENGTH + 1), 1));
    assertThrows(IllegalArgumentException.class, () -> Entry.of("", "t1", "r", "{}", 1));
  }

  private static List<String> ids(List<Entry> entries) {
    return entries.stream().map(Entry::id).toList();
  }
}
