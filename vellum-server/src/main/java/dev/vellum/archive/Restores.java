package dev.vellum.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.config.VellumConfig;
import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.core.merkle.TileNodeReader;
import dev.vellum.ingest.Times;
import dev.vellum.objectstore.ObjectStore;
import dev.vellum.search.SearchIndex;
import dev.vellum.store.EventStore;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.RecordStore;
import dev.vellum.store.StoredEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Restore (docs/archive.md): brings a tenant's archived events of an {@code occurred_at} range back
 * into the hot store for an investigation, with their original seq, id, leaf hash and body, marked
 * restored until a given time, after which hot retention removes them again.
 *
 * <p>Nothing is inserted before everything was checked. For every archive file of the tenant whose
 * manifest overlaps the range (sealed or expired from hot): the file read back from the object
 * store must have the manifest's size and SHA-256; every row's body must hash to its {@code
 * leaf_hash}, name the row's tenant, id and seq, and its leaf hash must be the Merkle log's leaf at
 * that seq (read from the stored tiles). Any mismatch refuses the whole restore, naming the file
 * and the seq. Then the events of the range that hot retention deleted go back in one store
 * transaction ({@link EventStore#restore}), under new feed positions flagged restored: the search
 * index takes them, the rules engine, the notifiers and the archiver skip them. Last, the restore
 * is recorded as an {@code ARCHIVE_RESTORED} event in the tenant's log and as a record of kind
 * {@link #KIND}.
 *
 * <p>Everything the restore reads is the tenant's own: its archive-file records are listed by
 * tenant, and each manifest and row must name the tenant. One restore runs at a time per node.
 */
public final class Restores {
  /** One record per restore: id sortable by time, body as answered by the API. */
  public static final String KIND = "archive-restore";

  /** Files and seq ranges named in the log event; the record keeps up to {@link #KEPT}. */
  static final int LISTED = 100;

  static final int KEPT = 10_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int PAGE = 200;

  /** A request that breaks a rule about one of its fields. */
  public static final class InvalidRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String field;

    InvalidRequest(String field, String message) {
      super(message);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /** The archive does not match itself or the log: the restore is refused, nothing inserted. */
  public static final class ArchiveMismatch extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ArchiveMismatch(String key, long seq, String what) {
      super(key + (seq >= 0 ? ": seq " + seq : "") + ": " + what);
    }
  }

  private final RecordStore records;
  private final EventStore store;
  private final SearchIndex index;
  private final ArchivedFileReader files;
  private final VellumConfig.Restore settings;
  private final Consumer<List<FeedEvent>> feed;
  private final BiFunction<String, ObjectNode, String> recorder;
  private final Clock clock;

  Restores(
      ObjectStore objects,
      RecordStore records,
      EventStore store,
      SearchIndex index,
      ParquetFiles parquet,
      Path staging,
      VellumConfig.Restore settings,
      Consumer<List<FeedEvent>> feed,
      BiFunction<String, ObjectNode, String> recorder,
      Clock clock) {
    this.records = records;
    this.store = store;
    this.index = index;
    this.files = new ArchivedFileReader(objects, parquet, staging);
    this.settings = settings;
    this.feed = feed;
    this.recorder = recorder;
    this.clock = clock;
  }

  public VellumConfig.Restore settings() {
    return settings;
  }

  /**
   * Restores {@code tenant}'s archived events with {@code from <= occurred_at < to}, hot until
   * {@code until} (default: now + {@code archive.restore.hold}); {@code keyId} is who asked.
   * Returns the restore's record body.
   *
   * @throws InvalidRequest naming the field whose value breaks a bound
   * @throws ArchiveMismatch naming the file and seq that failed a check (nothing was inserted)
   * @throws IOException if the object store cannot be read
   */
  public synchronized ObjectNode restore(
      String tenant, String keyId, Instant from, Instant to, @Nullable Instant until)
      throws IOException {
    Instant now = clock.instant();
    if (!from.isBefore(to)) {
      throw new InvalidRequest("to", "must be after from");
    }
    if (java.time.Duration.between(from, to).compareTo(settings.maxRange()) > 0) {
      throw new InvalidRequest(
          "to",
          "the range may span at most archive.restore.max_range = "
              + settings.maxRange()
              + "; restore a narrower range");
    }
    Instant hotUntil = until != null ? until : now.plus(settings.hold());
    if (!hotUntil.isAfter(now)) {
      throw new InvalidRequest("until", "must be in the future");
    }
    if (hotUntil.isAfter(now.plus(settings.maxHold()))) {
      throw new InvalidRequest(
          "until", "may be at most archive.restore.max_hold = " + settings.maxHold() + " from now");
    }
    long fromMicros = Times.micros(from);
    long toMicros = Times.micros(to);
    List<Manifest> files = overlapping(tenant, fromMicros, toMicros);
    List<NewEvent> restore = new ArrayList<>();
    long alreadyHot = 0;
    TileNodeReader tree = new TileNodeReader((level, idx) -> store.readTile(tenant, level, idx));
    long treeSize = store.nextSeq(tenant);
    for (Manifest m : files) {
      List<NewEvent> inRange = new ArrayList<>();
      for (NewEvent e : checkedRows(tenant, m, tree, treeSize)) {
        if (e.occurredAtMicros() >= fromMicros && e.occurredAtMicros() < toMicros) {
          OptionalLong deleted = store.deletedSeq(tenant, e.id());
          if (deleted.isPresent() && deleted.getAsLong() == e.seq()) {
            inRange.add(e);
          } else {
            alreadyHot++;
          }
        }
      }
      Map<Long, StoredEvent> hot =
          store.findBySeqs(tenant, inRange.stream().map(NewEvent::seq).toList());
      for (NewEvent e : inRange) {
        if (hot.containsKey(e.seq())) {
          alreadyHot++; // restored before, and still hot
        } else {
          restore.add(e);
        }
      }
      if (restore.size() > settings.maxEvents()) {
        throw new InvalidRequest(
            "to",
            "the range holds more than archive.restore.max_events = "
                + settings.maxEvents()
                + " archived events; restore a narrower range");
      }
    }
    restore.sort(Comparator.comparingLong(NewEvent::seq));
    long untilMicros = Times.micros(hotUntil);
    if (!restore.isEmpty()) {
      // this node's index may still hold documents of the deleted events (another node deleted
      // them): drop those first, so the restored events are found once
      index.forget(
          tenant,
          restore.stream()
              .map(e -> new StoredEvent(e.seq(), e.id(), e.occurredAtMicros(), e.leafHash(), ""))
              .toList());
      long first = store.restore(tenant, restore, untilMicros);
      List<FeedEvent> published = new ArrayList<>(restore.size());
      for (int i = 0; i < restore.size(); i++) {
        published.add(new FeedEvent(first + i, restore.get(i), true));
      }
      feed.accept(published);
    }
    return record(tenant, keyId, from, to, hotUntil, files, restore, alreadyHot, now);
  }

  /** The tenant's restores, oldest first, after {@code afterId}, at most {@code limit}. */
  public List<JsonNode> list(String tenant, String afterId, int limit) {
    List<JsonNode> out = new ArrayList<>();
    for (RecordStore.Entry e : records.list(KIND, tenant, null, afterId, limit)) {
      try {
        out.add(JSON.readTree(e.body()));
      } catch (IOException ex) {
        throw new UncheckedIOException("archive-restore record " + e.id() + " is damaged", ex);
      }
    }
    return out;
  }

  /** The tenant's archive files (sealed or expired from hot) whose events overlap the range. */
  private List<Manifest> overlapping(String tenant, long fromMicros, long toMicros) {
    List<Manifest> out = new ArrayList<>();
    for (String status : List.of(ArchiveRecords.SEALED, ArchiveRecords.EXPIRED_HOT)) {
      String after = "";
      while (true) {
        List<RecordStore.Entry> page =
            records.list(ArchiveRecords.FILE, tenant, status, after, PAGE);
        for (RecordStore.Entry entry : page) {
          Manifest m = ArchiveRecords.manifest(entry);
          long min = Times.micros(Times.parse(m.minOccurredAt()));
          long max = Times.micros(Times.parse(m.maxOccurredAt()));
          if (min < toMicros && max >= fromMicros) {
            if (!m.tenant().equals(tenant) || !m.key().startsWith("tenant=" + tenant + "/")) {
              throw new ArchiveMismatch(m.key(), -1, "the manifest is not of tenant " + tenant);
            }
            out.add(m);
          }
        }
        if (page.size() < PAGE) {
          break;
        }
        after = page.get(page.size() - 1).id();
      }
    }
    out.sort(Comparator.comparingLong(Manifest::firstSeq));
    return out;
  }

  /** Every row of the file, checked against the manifest, itself and the log, as events. */
  private List<NewEvent> checkedRows(String tenant, Manifest m, TileNodeReader tree, long treeSize)
      throws IOException {
    List<ParquetFiles.Row> rows;
    try {
      rows = files.rows(m);
    } catch (ArchivedFileReader.Mismatch e) {
      throw new ArchiveMismatch(m.key(), -1, e.what());
    }
    List<NewEvent> out = new ArrayList<>(rows.size());
    for (ParquetFiles.Row r : rows) {
      out.add(checked(tenant, m, r, tree, treeSize));
    }
    return out;
  }

  private static NewEvent checked(
      String tenant, Manifest m, ParquetFiles.Row r, TileNodeReader tree, long treeSize) {
    if (!m.covers(r.seq())) {
      throw new ArchiveMismatch(m.key(), r.seq(), "the row is not in the manifest's seq ranges");
    }
    byte[] leaf = Rfc6962.leafHash(r.body().getBytes(StandardCharsets.UTF_8));
    if (!HexFormat.of().formatHex(leaf).equals(r.leafHashHex())) {
      throw new ArchiveMismatch(m.key(), r.seq(), "the row's body does not hash to its leaf_hash");
    }
    if (r.seq() >= treeSize) {
      throw new ArchiveMismatch(m.key(), r.seq(), "the log has no leaf at this seq");
    }
    byte[] logged;
    try {
      logged = tree.node(0, r.seq());
    } catch (IllegalStateException e) {
      throw new ArchiveMismatch(m.key(), r.seq(), "the log's tile is missing: " + e.getMessage());
    }
    if (!Arrays.equals(leaf, logged)) {
      throw new ArchiveMismatch(
          m.key(), r.seq(), "the row's leaf hash is not the Merkle log's leaf at this seq");
    }
    try {
      JsonNode b = JSON.readTree(r.body());
      if (!tenant.equals(b.path("tenant").asText())
          || !r.id().equals(b.path("id").asText())
          || b.path("seq").asLong(-1) != r.seq()) {
        throw new ArchiveMismatch(
            m.key(), r.seq(), "the row's body does not name the row's tenant, id and seq");
      }
      // every column comes from the hashed body: the file's other columns are conveniences
      JsonNode actor = b.path("actor");
      return new NewEvent(
          tenant,
          r.seq(),
          r.id(),
          Times.micros(Times.parse(b.path("occurred_at").asText())),
          Times.micros(Times.parse(b.path("received_at").asText())),
          b.path("type").asText(),
          b.path("category").asText(),
          b.path("source").asText(),
          b.path("outcome").asText(),
          b.path("severity").asText(),
          actor.path("id").asText(),
          textOrNull(actor, "ip"),
          textOrNull(b, "session_id"),
          leaf,
          r.body());
    } catch (IOException | IllegalArgumentException e) {
      throw new ArchiveMismatch(m.key(), r.seq(), "the row's body is not an event: " + e);
    }
  }

  private static @Nullable String textOrNull(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private ObjectNode record(
      String tenant,
      String keyId,
      Instant from,
      Instant to,
      Instant until,
      List<Manifest> files,
      List<NewEvent> restored,
      long alreadyHot,
      Instant now) {
    long nowMicros = Times.micros(now);
    String id = String.format("%014x", nowMicros) + String.format("%08x", RANDOM.nextInt());
    List<long[]> ranges = Manifest.ranges(restored.stream().mapToLong(NewEvent::seq).toArray());
    ObjectNode event = JSON.createObjectNode();
    event.put("type", "ARCHIVE_RESTORED");
    event.put("outcome", "success");
    event.putObject("actor").put("type", "api_key").put("id", keyId);
    event.putArray("targets").addObject().put("type", "archive_restore").put("id", id);
    ObjectNode meta = event.putObject("metadata");
    describe(meta, id, keyId, from, to, until, files, ranges, restored.size(), alreadyHot, LISTED);
    // the catalogue's ARCHIVE_RESTORED names ranges as "first-last" strings
    ArrayNode texts = meta.putArray("seq_ranges");
    ranges.stream().limit(LISTED).forEach(r -> texts.add(r[0] + "-" + r[1]));
    String eventId = recorder.apply(tenant, event);
    ObjectNode body = JSON.createObjectNode();
    describe(body, id, keyId, from, to, until, files, ranges, restored.size(), alreadyHot, KEPT);
    body.put("tenant", tenant);
    body.put("restored_at", Times.format(now));
    body.put("event_id", eventId);
    records.put(
        RecordStore.Entry.of(KIND, tenant, id, body.toString(), nowMicros), RecordStore.ABSENT);
    return body;
  }

  private static void describe(
      ObjectNode o,
      String id,
      String keyId,
      Instant from,
      Instant to,
      Instant until,
      List<Manifest> files,
      List<long[]> ranges,
      long count,
      long alreadyHot,
      int listed) {
    o.put("restore_id", id);
    o.put("key_id", keyId);
    o.put("from", Times.format(from));
    o.put("to", Times.format(to));
    o.put("until", Times.format(until));
    ArrayNode keys = o.putArray("files");
    files.stream().limit(listed).forEach(m -> keys.add(m.key()));
    o.put("file_count", files.size());
    ArrayNode seqs = o.putArray("seq_ranges");
    ranges.stream().limit(listed).forEach(r -> seqs.addArray().add(r[0]).add(r[1]));
    o.put("seq_range_count", ranges.size());
    o.put("count", count);
    o.put("already_hot", alreadyHot);
  }

  /** For tests: the restore record of {@code id}. */
  Optional<RecordStore.Entry> entry(String tenant, String id) {
    return records.get(KIND, tenant, id);
  }
}
