package dev.vellum.archive;

import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.ingest.Times;
import dev.vellum.objectstore.ObjectStore;
import dev.vellum.objectstore.Sha256;
import dev.vellum.query.ArchiveReader;
import dev.vellum.store.EventStore;
import dev.vellum.store.RecordStore;
import dev.vellum.store.StoredEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves events that hot retention deleted, from their archive file.
 *
 * <p>id → seq: the event store keeps every deleted event's id with its seq ({@link
 * EventStore#deletedSeq}), an index seek. seq → file: the seq ranges of the tenant's {@code
 * expired-hot} files, kept in memory per tenant (one entry per range) and reloaded from the records
 * when a seq is not found in them, so a file expired since the last load is found too. The file is
 * downloaded, checked against its manifest's SHA-256, the row of the id is read with DuckDB, and
 * its body must hash to the leaf hash the row names, at the seq the store recorded.
 */
final class ArchivedEvents implements ArchiveReader {
  private static final int PAGE = 500;
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** A seq range's last seq and the file holding it. */
  private record Span(long lastSeq, String key) {}

  private final ObjectStore objects;
  private final RecordStore records;
  private final EventStore store;
  private final ParquetFiles parquet;
  private final Path staging;
  private final Map<String, NavigableMap<Long, Span>> spans = new ConcurrentHashMap<>();

  ArchivedEvents(
      ObjectStore objects,
      RecordStore records,
      EventStore store,
      ParquetFiles parquet,
      Path staging) {
    this.objects = objects;
    this.records = records;
    this.store = store;
    this.parquet = parquet;
    this.staging = staging;
  }

  @Override
  public OptionalLong archivedBefore(String tenant) {
    return ArchivedTime.before(records, tenant);
  }

  @Override
  public Optional<Archived> find(String tenant, String id) {
    OptionalLong seq = store.deletedSeq(tenant, id);
    if (seq.isEmpty()) {
      return Optional.empty();
    }
    String key = fileOf(tenant, seq.getAsLong(), false);
    if (key == null) {
      key = fileOf(tenant, seq.getAsLong(), true);
    }
    if (key == null) {
      return Optional.empty(); // deleted from the archive too (archive retention)
    }
    try {
      return Optional.of(new Archived(read(tenant, key, id, seq.getAsLong()), key));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read archived event " + id + " from " + key + ": " + e.getMessage(), e);
    }
  }

  private @org.jspecify.annotations.Nullable String fileOf(
      String tenant, long seq, boolean reload) {
    NavigableMap<Long, Span> map = spans.get(tenant);
    if (map == null || reload) {
      map = load(tenant);
      spans.put(tenant, map);
    }
    Map.Entry<Long, Span> e = map.floorEntry(seq);
    return e != null && seq <= e.getValue().lastSeq() ? e.getValue().key() : null;
  }

  private NavigableMap<Long, Span> load(String tenant) {
    NavigableMap<Long, Span> map = new TreeMap<>();
    String after = "";
    while (true) {
      List<RecordStore.Entry> page =
          records.list(ArchiveRecords.FILE, tenant, ArchiveRecords.EXPIRED_HOT, after, PAGE);
      for (RecordStore.Entry entry : page) {
        Manifest m = ArchiveRecords.manifest(entry);
        for (long[] r : m.seqRanges()) {
          map.put(r[0], new Span(r[1], m.key()));
        }
      }
      if (page.size() < PAGE) {
        return map;
      }
      after = page.get(page.size() - 1).id();
    }
  }

  private StoredEvent read(String tenant, String key, String id, long seq) throws IOException {
    Manifest m =
        ArchiveRecords.manifest(
            records
                .get(ArchiveRecords.FILE, tenant, key)
                .orElseThrow(() -> new IOException("its archive-file record is gone")));
    Files.createDirectories(staging);
    Path local = Files.createTempFile(staging, "read-", ".parquet");
    try {
      if (!objects.get(key, local)) {
        throw new IOException("the object store has no such file");
      }
      String sha = Sha256.of(local);
      if (!sha.equals(m.sha256())) {
        throw new IOException("the file's SHA-256 " + sha + " is not the manifest's " + m.sha256());
      }
      ParquetFiles.Row row = parquet.find(local, id);
      if (row == null || row.seq() != seq) {
        throw new IOException("the file has no row of the event at seq " + seq);
      }
      byte[] leaf = Rfc6962.leafHash(row.body().getBytes(StandardCharsets.UTF_8));
      if (!HexFormat.of().formatHex(leaf).equals(row.leafHashHex())) {
        throw new IOException("the row's body does not hash to its leaf_hash");
      }
      return new StoredEvent(seq, id, occurredAt(row.body()), leaf, row.body());
    } finally {
      Files.deleteIfExists(local);
    }
  }

  private static long occurredAt(String body) throws IOException {
    String text = JSON.readTree(body).path("occurred_at").asText("");
    return Times.micros(Times.parse(text));
  }
}
