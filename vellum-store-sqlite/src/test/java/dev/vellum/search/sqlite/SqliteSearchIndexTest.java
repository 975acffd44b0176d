package dev.vellum.search.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FTS5 search index as a feed consumer: it finds what it was handed, a repeated delivery
 * (at-least-once) changes nothing, and it resumes from what its own file covers.
 */
class SqliteSearchIndexTest {
  @TempDir Path dir;

  private static List<NewEvent> events(int count) {
    List<NewEvent> out = new ArrayList<>();
    for (int seq = 0; seq < count; seq++) {
      String id = UUID.randomUUID().toString();
      String body = "{\"actor\":{\"id\":\"actor-" + seq + "\"},\"id\":\"" + id
          + "\",\"reason\":\"word" + seq + " common\",\"seq\":" + seq
          + ",\"tags\":[\"tag-" + (seq % 2) + "\"],\"targets\":[{\"id\":\"doc-" + seq
          + "\",\"type\":\"document\"}],\"tenant\":\"t1\",\"type\":\"USER_LOGIN\"}";
      out.add(new NewEvent("t1", seq, id, 1_000_000L + seq, 2_000_000L, "USER_LOGIN",
          "authentication", "APP", "success", "info", "actor-" + seq, "192.0.2.1",
          "session-" + seq, new byte[32], body));
    }
    return out;
  }

  private static SearchQuery query(String actor, SearchQuery.FullText text, String tag,
      String targetId) {
    return new SearchQuery("t1", null, null, null, null, null, actor, null,
        targetId == null ? null : "document", targetId, null, null, null, tag, text, false, 100,
        null);
  }

  private static List<Long> seqs(List<StoredEvent> found) {
    return found.stream().map(StoredEvent::seq).sorted().toList();
  }

  @Test
  void findsHandedEventsByEveryIndexedFieldAndIgnoresARepeatedDelivery() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.open(dir);
        SqliteEventStore store = new SqliteEventStore(db);
        SqliteSearchIndex index = SqliteSearchIndex.open(db)) {
      store.append(WriteBatch.ofEvents(events(6), List.of()));
      List<FeedEvent> feed = store.after(0, 100);
      index.accept(feed);
      index.accept(feed.subList(2, 6)); // at-least-once: a redelivery after a crash
      assertEquals(List.of(3L), seqs(index.search(query("actor-3", null, null, null))));
      assertEquals(List.of(4L), seqs(index.search(query(null,
          new SearchQuery.FullText(List.of("word4"), false), null, null))));
      assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), seqs(index.search(query(null,
          new SearchQuery.FullText(List.of("comm"), true), null, null))));
      assertEquals(List.of(1L, 3L, 5L), seqs(index.search(query(null, null, "tag-1", null))));
      assertEquals(List.of(5L), seqs(index.search(query(null, null, null, "doc-5"))));
      assertEquals(List.of(), seqs(index.search(query(null,
          new SearchQuery.FullText(List.of("comm"), false), null, null))));
    }
  }

  @Test
  void resumesFromTheLowerOfTheStoredPositionAndWhatItsFileCovers() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.open(dir);
        SqliteEventStore store = new SqliteEventStore(db)) {
      store.append(WriteBatch.ofEvents(events(4), List.of()));
      try (SqliteSearchIndex index = SqliteSearchIndex.open(db)) {
        index.accept(store.after(0, 3));
        assertEquals(3, index.resumeFrom(4));
        assertEquals(2, index.resumeFrom(2));
      }
    }
    for (String f : List.of("search.db", "search.db-wal", "search.db-shm")) {
      Files.deleteIfExists(dir.resolve(f));
    }
    try (SqliteDatabase db = SqliteDatabase.open(dir);
        SqliteSearchIndex index = SqliteSearchIndex.open(db)) {
      assertEquals(0, index.resumeFrom(4), "a deleted index is rebuilt from the start");
    }
  }
}
