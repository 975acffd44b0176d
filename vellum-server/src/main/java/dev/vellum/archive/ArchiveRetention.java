package dev.vellum.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.lease.Lease;
import dev.vellum.objectstore.ObjectStore;
import dev.vellum.store.RecordStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archive retention: deletes archive files (Parquet, manifest) whose events all occurred before the
 * tenant's retention ({@code archive.retention}, per-tenant overrides), unless a legal hold covers
 * one of their events. It runs every {@code archive.retention_interval} while this node holds the
 * archiver's lease (one node of a cluster at a time).
 *
 * <p>The order, chosen so that no file is ever gone without its event in the log and a crash at any
 * point converges on the next run:
 *
 * <ol>
 *   <li>one transaction writes a deletion record (kind {@code archive-deletion}, status {@code
 *       pending}) holding the complete ARCHIVE_FILES_DELETED event, with a fixed id, and marks the
 *       files' records {@code deleting};
 *   <li>the event is recorded in the tenant's log (durable before the call returns);
 *   <li>the objects are deleted, each Parquet file before its manifest;
 *   <li>one transaction marks the files' records {@code deleted} (the manifest stays as the
 *       tombstone analytics and readers already honour) and the deletion record {@code done}.
 * </ol>
 *
 * Every run first finishes the pending deletions: recording the same event again with the same id
 * and content is answered as a duplicate, deleting an absent object is no error. So a crash leaves
 * at worst an event that announces a deletion a little before it completes, never a deletion
 * without its event. A hold placed after step 1 does not stop that deletion: it was decided, and
 * announced, before.
 */
final class ArchiveRetention implements AutoCloseable {
  static final String DELETION = "archive-deletion";
  static final String PENDING = "pending";
  static final String DONE = "done";
  static final String DELETING = "deleting";

  /** Files named by one deletion event (bounds the event's size). */
  static final int FILES_PER_EVENT = 50;

  /** Files deleted per tenant per run: the rest waits for the next run. */
  static final int FILES_PER_RUN = 2_000;

  /** Files scanned with DuckDB for actor/target holds per run; unscanned files are kept. */
  static final int SCANS_PER_RUN = 200;

  /** Seq ranges named per file in the event; the manifest (kept as the tombstone) has all. */
  static final int RANGES_PER_FILE = 16;

  private static final Logger LOG = LoggerFactory.getLogger(ArchiveRetention.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Records an event the server writes itself in a tenant's log, durably. */
  @FunctionalInterface
  interface TenantLog {
    void record(String tenant, ObjectNode event);
  }

  /** What one run did: files deleted, kept for a hold, left for the next run. */
  record Report(int deleted, int held, int deferred) {}

  private final ObjectStore objects;
  private final RecordStore records;
  private final LegalHolds holds;
  private final ParquetFiles parquet = new ParquetFiles();
  private final Path scratch;
  private final TenantLog log;
  private final Supplier<List<String>> tenants;
  private final Duration retention;
  private final Map<String, Duration> tenantRetention;
  private final Clock clock;
  private final Lease lease;
  private final ScheduledExecutorService timer;
  private final Counter deletedFiles;
  private final Counter heldFiles;

  ArchiveRetention(
      ObjectStore objects,
      RecordStore records,
      LegalHolds holds,
      Path scratch,
      TenantLog log,
      Supplier<List<String>> tenants,
      Duration retention,
      Map<String, Duration> tenantRetention,
      Duration interval,
      Clock clock,
      Lease lease,
      MeterRegistry metrics)
      throws IOException {
    this.objects = objects;
    this.records = records;
    this.holds = holds;
    this.scratch = Files.createDirectories(scratch);
    this.log = log;
    this.tenants = tenants;
    this.retention = retention;
    this.tenantRetention = Map.copyOf(tenantRetention);
    this.clock = clock;
    this.lease = lease;
    this.deletedFiles =
        Counter.builder("vellum.archive.retention.files.deleted")
            .description("archive files deleted by archive retention")
            .register(metrics);
    this.heldFiles =
        Counter.builder("vellum.archive.retention.files.held")
            .description("archive files past retention kept because a legal hold covers them")
            .register(metrics);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vellum-archive-retention");
              t.setDaemon(true);
              return t;
            });
    long every = interval.toMillis();
    timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      runOnce();
    } catch (IOException | RuntimeException e) {
      LOG.warn("archive retention run failed (retried next run): {}", e.toString());
    }
  }

  /** One run over every tenant, if this node holds the lease; empty report otherwise. */
  synchronized Report runOnce() throws IOException {
    if (!lease.held()) {
      return new Report(0, 0, 0);
    }
    for (RecordStore.Entry pending : records.due(DELETION, PENDING, Long.MAX_VALUE, 1_000)) {
      complete(pending);
    }
    int deleted = 0;
    int held = 0;
    int deferred = 0;
    for (String tenant : tenants.get()) {
      Report r = runTenant(tenant);
      deleted += r.deleted();
      held += r.held();
      deferred += r.deferred();
    }
    return new Report(deleted, held, deferred);
  }

  private Report runTenant(String tenant) throws IOException {
    Duration keep = tenantRetention.getOrDefault(tenant, retention);
    Instant now = clock.instant();
    Instant cutoff = now.minus(keep);
    List<LegalHolds.Hold> active = holds.list(tenant);
    List<RecordStore.Entry> due = new ArrayList<>();
    int held = 0;
    int deferred = 0;
    int[] scans = {0};
    String after = "";
    while (true) {
      List<RecordStore.Entry> page = records.list(ArchiveRecords.FILE, tenant, null, after, 500);
      for (RecordStore.Entry e : page) {
        after = e.id();
        if (ArchiveRecords.DELETED.equals(e.status()) || DELETING.equals(e.status())) {
          continue;
        }
        Manifest m = ArchiveRecords.manifest(e);
        if (!Instant.parse(m.maxOccurredAt()).isBefore(cutoff)) {
          continue;
        }
        switch (held(m, active, scans)) {
          case HELD -> held++;
          case UNKNOWN -> deferred++;
          case FREE -> {
            if (due.size() < FILES_PER_RUN) {
              due.add(e);
            } else {
              deferred++;
            }
          }
        }
      }
      if (page.size() < 500) {
        break;
      }
    }
    heldFiles.increment(held);
    for (int i = 0; i < due.size(); i += FILES_PER_EVENT) {
      List<RecordStore.Entry> chunk = due.subList(i, Math.min(due.size(), i + FILES_PER_EVENT));
      complete(begin(tenant, chunk, keep, cutoff));
    }
    return new Report(due.size(), held, deferred);
  }

  private enum Verdict {
    FREE,
    HELD,
    UNKNOWN
  }

  /**
   * Whether a hold covers an event of the file: the manifest decides for source and time; a hold
   * naming an actor or target needs the file's rows, read with DuckDB, at most {@link
   * #SCANS_PER_RUN} per run (a file not read is kept until a later run can read it).
   */
  private Verdict held(Manifest m, List<LegalHolds.Hold> active, int[] scans) throws IOException {
    List<LegalHolds.Hold> rowHolds = new ArrayList<>();
    for (LegalHolds.Hold h : active) {
      if (h.mayCover(m)) {
        if (!h.needsRows()) {
          return Verdict.HELD;
        }
        rowHolds.add(h);
      }
    }
    if (rowHolds.isEmpty()) {
      return Verdict.FREE;
    }
    if (scans[0] >= SCANS_PER_RUN) {
      return Verdict.UNKNOWN;
    }
    scans[0]++;
    Path local = Files.createTempFile(scratch, "hold-scan-", ".parquet");
    try {
      if (!objects.get(m.key(), local)) {
        throw new IOException("archive file " + m.key() + " is missing from " + objects.describe());
      }
      for (LegalHolds.Hold h : rowHolds) {
        if (parquet.anyCovered(local, h)) {
          return Verdict.HELD;
        }
      }
      return Verdict.FREE;
    } finally {
      Files.deleteIfExists(local);
    }
  }

  /** Step 1: the deletion record with its whole event, and the files marked, in one transaction. */
  private RecordStore.Entry begin(
      String tenant, List<RecordStore.Entry> files, Duration keep, Instant cutoff) {
    Instant now = clock.instant();
    long micros = Archiver.micros(now);
    String id = uuid7(now).toString();
    ObjectNode event = JSON.createObjectNode();
    event.put("id", id);
    event.put("occurred_at", dev.vellum.ingest.Times.format(now));
    event.put("type", "ARCHIVE_FILES_DELETED");
    event.put("outcome", "success");
    event.putObject("actor").put("type", "system").put("id", "archive-retention");
    ObjectNode md = event.putObject("metadata");
    md.put("deletion_id", id);
    md.put("retention_days", keep.toDays());
    md.put("cutoff", cutoff.toString());
    md.put("file_count", files.size());
    ArrayNode list = md.putArray("files");
    long events = 0;
    ArrayNode keys = JSON.createArrayNode();
    for (RecordStore.Entry f : files) {
      Manifest m = ArchiveRecords.manifest(f);
      events += m.count();
      keys.add(m.key());
      ObjectNode o = list.addObject();
      o.put("key", m.key());
      o.put("sha256", m.sha256());
      o.put("first_seq", m.firstSeq());
      o.put("last_seq", m.lastSeq());
      o.put("count", m.count());
      ArrayNode ranges = o.putArray("seq_ranges");
      for (int i = 0; i < Math.min(RANGES_PER_FILE, m.seqRanges().size()); i++) {
        ranges.addArray().add(m.seqRanges().get(i)[0]).add(m.seqRanges().get(i)[1]);
      }
      if (m.seqRanges().size() > RANGES_PER_FILE) {
        o.put("seq_ranges_truncated", true);
      }
    }
    md.put("event_count", events);
    ObjectNode body = JSON.createObjectNode();
    body.set("event", event);
    body.set("keys", keys);
    RecordStore.Entry deletion =
        new RecordStore.Entry(DELETION, tenant, id, body.toString(), PENDING, micros, 0, micros);
    List<RecordStore.Entry> writes = new ArrayList<>();
    writes.add(deletion);
    for (RecordStore.Entry f : files) {
      writes.add(f.withStatus(DELETING, 0));
    }
    records.putAll(writes);
    return deletion;
  }

  /** Step 1 alone, as a crash right after it leaves things (tests). */
  synchronized RecordStore.Entry beginForTest(
      String tenant, List<RecordStore.Entry> files, Duration keep, Instant cutoff) {
    return begin(tenant, files, keep, cutoff);
  }

  /** Steps 2 to 4 of a pending deletion; safe to repeat. */
  private void complete(RecordStore.Entry deletion) throws IOException {
    JsonNode body = JSON.readTree(deletion.body());
    ObjectNode event = (ObjectNode) body.get("event");
    log.record(deletion.tenant(), event.deepCopy());
    List<RecordStore.Entry> writes = new ArrayList<>();
    for (JsonNode k : body.path("keys")) {
      String key = k.asText();
      objects.delete(key);
      objects.delete(ArchiveLayout.manifestKey(key));
      records
          .get(ArchiveRecords.FILE, deletion.tenant(), key)
          .ifPresent(f -> writes.add(f.withStatus(ArchiveRecords.DELETED, 0)));
    }
    writes.add(deletion.withStatus(DONE, 0));
    records.putAll(writes);
    deletedFiles.increment(body.path("keys").size());
    LOG.info(
        "archive retention deleted {} files of tenant {} (event {})",
        body.path("keys").size(),
        deletion.tenant(),
        deletion.id());
  }

  /** A version 7 UUID: the event ids of the log are time-ordered. */
  static UUID uuid7(Instant t) {
    long ms = t.toEpochMilli();
    long msb = (ms << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
    long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    parquet.close();
  }
}
