package dev.vellum.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.json.CanonicalJson;
import dev.vellum.store.EventFilter;
import dev.vellum.store.NewEvent;
import dev.vellum.store.SearchDocument;
import dev.vellum.store.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indexer takes committed events from memory when it can and reads them back from
 * vellum.db when they were not kept (too many waiting): either way every event is indexed once.
 */
class SearchIndexerHandoffTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BATCHES = 40;
  private static final int PER_BATCH = 7;

  @TempDir Path dir;

  @Test
  void indexesEveryEventWhenAllAreHandedOverInMemory() {
    assertEveryEventIsFoundOnce(1_000_000);
  }

  @Test
  void indexesEveryEventWhenNoneAreKeptInMemory() {
    assertEveryEventIsFoundOnce(0);
  }

  @Test
  void indexesEveryEventWhenSomeBatchesAreDroppedFromMemory() {
    assertEveryEventIsFoundOnce(PER_BATCH + 3); // keeps one batch, drops the ones behind it
  }

  private void assertEveryEventIsFoundOnce(int maxWaitingRows) {
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      SqliteEventStore store = new SqliteEventStore(db, maxWaitingRows);
      long seq = 0;
      for (int b = 0; b < BATCHES; b++) {
        List<NewEvent> batch = new ArrayList<>();
        for (int i = 0; i < PER_BATCH; i++) {
          batch.add(event(seq++));
        }
        store.append(batch, List.of());
      }
      for (long s = 0; s < seq; s++) {
        List<StoredEvent> byActor = store.query(filter("actor-" + s, null));
        assertEquals(List.of(s), byActor.stream().map(StoredEvent::seq).toList(), "actor " + s);
        List<StoredEvent> byText = store.query(filter(null, "word" + s));
        assertEquals(List.of(s), byText.stream().map(StoredEvent::seq).toList(), "text " + s);
      }
      assertEquals(0, store.unindexedEvents());
      store.close();
    }
  }

  private static NewEvent event(long seq) {
    ObjectNode content = JSON.createObjectNode()
        .put("id", UUID.randomUUID().toString())
        .put("type", "USER_LOGIN")
        .put("reason", "word" + seq);
    content.putObject("actor").put("id", "actor-" + seq);
    String body = new String(CanonicalJson.canonicalize(content), StandardCharsets.UTF_8);
    return new NewEvent("t1", seq, content.get("id").asText(), 1_000_000L + seq, 2_000_000L,
        "USER_LOGIN", "authentication", "APP", "success", "info", "actor-" + seq, null, null,
        new byte[32], body, SearchDocument.of(content));
  }

  private static EventFilter filter(String actor, String text) {
    return new EventFilter("t1", null, null, null, null, null, actor, null, null, null, null,
        null, null, null, text, true, 10, null);
  }
}
