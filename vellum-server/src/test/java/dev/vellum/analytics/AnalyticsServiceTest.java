package dev.vellum.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.app.VellumNode;
import dev.vellum.objectstore.DirectoryObjectStore;
import dev.vellum.objectstore.ObjectStore;
import dev.vellum.testing.TestNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service with settings a node does not use by default: the hot-event bound, and an object
 * store that is not a local directory (so files are mirrored into the bounded cache).
 */
class AnalyticsServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  /**
   * The archive directory seen through the port only, as an S3 store would be: the service cannot
   * read its files in place and must mirror them.
   */
  record Remote(DirectoryObjectStore inner) implements ObjectStore {
    @Override
    public StoredObject put(String key, Path file) throws IOException {
      return inner.put(key, file);
    }

    @Override
    public StoredObject put(String key, byte[] content) throws IOException {
      return inner.put(key, content);
    }

    @Override
    public StoredObject moveIn(String key, Path file, String sha256Hex) throws IOException {
      return inner.moveIn(key, file, sha256Hex);
    }

    @Override
    public Optional<StoredObject> head(String key) throws IOException {
      return inner.head(key);
    }

    @Override
    public boolean get(String key, Path target) throws IOException {
      return inner.get(key, target);
    }

    @Override
    public List<String> list(String prefix, String afterKey, int limit) throws IOException {
      return inner.list(prefix, afterKey, limit);
    }

    @Override
    public boolean delete(String key) throws IOException {
      return inner.delete(key);
    }

    @Override
    public String describe() {
      return "remote " + inner.describe();
    }
  }

  private static AnalyticsSettings settings(int maxHot, long cacheBytes) {
    AnalyticsSettings d = AnalyticsSettings.defaults();
    return new AnalyticsSettings(
        Duration.ofSeconds(20),
        256,
        1,
        1000,
        d.maxResultBytes(),
        maxHot,
        d.maxSqlChars(),
        2,
        1,
        d.maxSavedQueries(),
        cacheBytes);
  }

  private static long count(QueryResult r) {
    return ((Number) r.rows().get(0).get(0)).longValue();
  }

  @Test
  void filesOfAStoreThatIsNotADirectoryAreMirroredIntoTheTenantsCacheFolder() throws Exception {
    try (TestNode node = TestNode.start(dir.resolve("node"))) {
      for (int i = 0; i < 12; i++) {
        node.post("/v1/events", TestNode.ADMIN_KEY, node.loginEvent("m" + i));
      }
      VellumNode n = node.node();
      long head = n.store().nextSeq("default");
      List<String> keys = ArchiveFixture.seal(node, "default", 0, head, true);
      Path cache = dir.resolve("cache");
      ObjectStore remote =
          new Remote(new DirectoryObjectStore(node.dataDir().resolve(VellumNode.ARCHIVE_DIR)));
      try (Analytics a =
          new Analytics(
              n.store(),
              n.records(),
              remote,
              cache,
              settings(100, 1 << 20),
              JSON,
              Clock.systemUTC())) {
        QueryResult r = a.query("default", "SELECT count(*) FROM events WHERE seq < " + head, 0, 0);
        assertEquals(head, count(r));
        assertEquals(keys.size(), r.coverage().archiveFiles());
        assertEquals(0, r.coverage().hotLoaded(), "everything before head is archived");
        for (String k : keys) {
          assertTrue(Files.isRegularFile(cache.resolve(k)), k);
        }
      }
    }
  }

  @Test
  void aTenantWhoseArchiveExceedsTheCacheIsToldSo() throws Exception {
    try (TestNode node = TestNode.start(dir.resolve("node"))) {
      for (int i = 0; i < 5; i++) {
        node.post("/v1/events", TestNode.ADMIN_KEY, node.loginEvent("c" + i));
      }
      VellumNode n = node.node();
      ArchiveFixture.seal(node, "default", 0, n.store().nextSeq("default"), true);
      ObjectStore remote =
          new Remote(new DirectoryObjectStore(node.dataDir().resolve(VellumNode.ARCHIVE_DIR)));
      // one MiB is the smallest cache allowed; pad the archive beyond it with a large file
      Path big = dir.resolve("big");
      Files.write(big, new byte[(1 << 20) + 1]);
      String key = "tenant=default/source=X/type=Y/year=2026/month=01/day=01/big.parquet";
      var stored = remote.put(key, big);
      n.records()
          .put(
              dev.vellum.store.RecordStore.Entry.of(
                  ArchiveSnapshot.FILE_KIND,
                  "default",
                  key,
                  "{\"size\":" + stored.size() + ",\"sha256\":\"" + stored.sha256Hex() + "\"}",
                  1),
              dev.vellum.store.RecordStore.ANY_VERSION);
      try (Analytics a =
          new Analytics(
              n.store(),
              n.records(),
              remote,
              dir.resolve("cache"),
              settings(100, 1 << 20),
              JSON,
              Clock.systemUTC())) {
        AnalyticsException e =
            assertThrows(
                AnalyticsException.class, () -> a.query("default", "SELECT 1 FROM events", 0, 0));
        assertEquals(AnalyticsException.Kind.FAILED, e.kind());
        assertTrue(e.getMessage().contains("larger than the analytics cache"), e.getMessage());
      }
    }
  }

  @Test
  void moreUnarchivedEventsThanTheBoundAreLoadedUpToIt_andTheAnswerSaysSo() throws Exception {
    try (TestNode node = TestNode.start(dir.resolve("node"))) {
      for (int i = 0; i < 30; i++) {
        node.post("/v1/events", TestNode.ADMIN_KEY, node.loginEvent("h" + i));
      }
      VellumNode n = node.node();
      try (Analytics a =
          new Analytics(
              n.store(),
              n.records(),
              new DirectoryObjectStore(node.dataDir().resolve(VellumNode.ARCHIVE_DIR)),
              dir.resolve("cache"),
              settings(10, 1 << 20),
              JSON,
              Clock.systemUTC())) {
        QueryResult r = a.query("default", "SELECT count(*) FROM events", 0, 0);
        assertEquals(10, count(r));
        assertFalse(r.coverage().complete());
        assertEquals(10, r.coverage().hotLoaded());
        assertTrue(r.coverage().hotUnarchived() >= 30, r.coverage().toString());
      }
    }
  }
}
