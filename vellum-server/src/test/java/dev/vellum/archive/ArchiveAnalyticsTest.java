package dev.vellum.archive;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.store.StoredEvent;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analytics view over files the real archiver sealed (not a fixture): once every event is
 * archived the view reads them from Parquet only, and counts what the store holds, by type.
 */
@Timeout(120)
class ArchiveAnalyticsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void analyticsCountsWhatTheArchiverSealedOnce() throws Exception {
    try (TestNode node = ArchiverTest.archivingNode(dir)) {
      ArchiverTest.ingest(node, 6, "LOGIN_SUCCESSFUL");
      ArchiverTest.ingest(node, 4, "LOGIN_FAILED");
      long last = node.node().store().nextSeq("default") - 1;
      ArchiverTest.awaitArchived(node, "default", last);
      assertFalse(ArchiverTest.files(node, "default").isEmpty());

      Reply r =
          node.post(
              "/v1/analytics/query",
              ADMIN_KEY,
              JSON.createObjectNode()
                  .put(
                      "sql",
                      "SELECT type, count(*) FROM events WHERE seq <= "
                          + last
                          + " GROUP BY type ORDER BY type"));
      assertEquals(200, r.status(), r.raw().body());
      Map<String, Long> fromArchive = new TreeMap<>();
      for (JsonNode row : r.body().get("rows")) {
        fromArchive.put(row.get(0).asText(), row.get(1).asLong());
      }
      Map<String, Long> inStore = new TreeMap<>();
      for (StoredEvent e : node.node().store().range("default", 0, last + 1)) {
        inStore.merge(JSON.readTree(e.body()).path("type").asText(), 1L, Long::sum);
      }
      assertEquals(inStore, fromArchive);
    }
  }
}
