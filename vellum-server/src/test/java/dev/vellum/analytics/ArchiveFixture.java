package dev.vellum.analytics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.app.VellumNode;
import dev.vellum.ingest.Times;
import dev.vellum.objectstore.DirectoryObjectStore;
import dev.vellum.objectstore.ObjectStore;
import dev.vellum.store.RecordStore;
import dev.vellum.store.StoredEvent;
import dev.vellum.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes archive files exactly as the archive contract lays them out, from a real node's stored
 * events, until the archiver exists: one Parquet file (zstd, written by DuckDB's COPY) per (tenant,
 * source, type, day) under the Hive-style key, through the real {@link DirectoryObjectStore} under
 * the data dir, plus its {@code archive-file} record (the manifest; this fixture leaves out the
 * checkpoint, which analytics does not read) and, when asked, the tenant's {@code archive-progress}
 * record.
 */
final class ArchiveFixture {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ArchiveFixture() {}

  /** Seals the tenant's events with seq in [from, to); returns the keys written. */
  static List<String> seal(TestNode test, String tenant, long from, long to, boolean progress)
      throws Exception {
    VellumNode node = test.node();
    List<StoredEvent> events = node.store().range(tenant, from, to);
    Map<String, List<StoredEvent>> groups = new TreeMap<>();
    for (StoredEvent e : events) {
      var body = JSON.readTree(e.body());
      LocalDate day = LocalDate.ofInstant(Times.instant(e.occurredAtMicros()), ZoneOffset.UTC);
      String prefix =
          String.format(
              "tenant=%s/source=%s/type=%s/year=%04d/month=%02d/day=%02d/",
              tenant,
              body.path("source").asText(),
              body.path("type").asText(),
              day.getYear(),
              day.getMonthValue(),
              day.getDayOfMonth());
      groups.computeIfAbsent(prefix, k -> new ArrayList<>()).add(e);
    }
    DirectoryObjectStore store =
        new DirectoryObjectStore(test.dataDir().resolve(VellumNode.ARCHIVE_DIR));
    List<String> keys = new ArrayList<>();
    Path tmp = Files.createTempDirectory("archive-fixture");
    for (var g : groups.entrySet()) {
      keys.add(writeFile(node.records(), store, tenant, g.getKey(), g.getValue(), tmp));
    }
    if (progress && !events.isEmpty()) {
      long through = events.get(events.size() - 1).seq();
      node.records()
          .put(
              RecordStore.Entry.of(
                  ArchiveSnapshot.PROGRESS_KIND,
                  tenant,
                  tenant,
                  "{\"archived_through_seq\":" + through + "}",
                  Times.micros(java.time.Instant.now())),
              RecordStore.ANY_VERSION);
    }
    return keys;
  }

  private static String writeFile(
      RecordStore records,
      ObjectStore store,
      String tenant,
      String prefix,
      List<StoredEvent> events,
      Path tmp)
      throws Exception {
    Path file = tmp.resolve("batch.parquet");
    Files.deleteIfExists(file);
    try (Sandbox box = Sandbox.open(256, 1)) {
      EventRows.createTable(box.connection(), "batch");
      EventRows.append(box.connection(), "batch", events, JSON);
      try (Statement s = box.connection().createStatement()) {
        s.execute(
            "COPY (SELECT "
                + EventRows.NAMES
                + " FROM batch ORDER BY seq) TO '"
                + file
                + "' (FORMAT PARQUET, COMPRESSION ZSTD)");
      }
    }
    String sha = dev.vellum.objectstore.Sha256.of(file);
    long first = events.get(0).seq();
    long last = events.get(events.size() - 1).seq();
    String key =
        prefix + tenant + "-" + first + "-" + last + "-" + sha.substring(0, 8) + ".parquet";
    ObjectStore.StoredObject stored = store.put(key, file);
    ObjectNode m = JSON.createObjectNode();
    m.put("format", "vellum-archive-manifest/1");
    m.put("tenant", tenant);
    m.put("key", key);
    m.put("size", stored.size());
    m.put("sha256", sha);
    m.put("count", events.size());
    var ranges = m.putArray("seq_ranges");
    long start = first;
    long prev = first;
    for (StoredEvent e : events.subList(1, events.size())) {
      if (e.seq() != prev + 1) {
        ranges.addArray().add(start).add(prev);
        start = e.seq();
      }
      prev = e.seq();
    }
    ranges.addArray().add(start).add(prev);
    m.put("first_seq", first);
    m.put("last_seq", last);
    m.put("created_at", Times.format(java.time.Instant.now()));
    Files.writeString(tmp.resolve("manifest.json"), m.toString());
    store.put(key + ".manifest.json", tmp.resolve("manifest.json"));
    records.put(
        RecordStore.Entry.of(
                ArchiveSnapshot.FILE_KIND,
                tenant,
                key,
                m.toString(),
                Times.micros(java.time.Instant.now()))
            .withStatus("sealed", 0),
        RecordStore.ANY_VERSION);
    return key;
  }
}
