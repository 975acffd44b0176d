package dev.vellum.archive;

import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.objectstore.ObjectStore;
import dev.vellum.search.SearchIndex;
import dev.vellum.store.EventStore;
import dev.vellum.store.RecordStore;
import dev.vellum.store.StoredEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot retention (docs/archive.md): removes from the hot store the events of every sealed archive
 * file that was sealed more than the tenant's {@code archive.hot_retention} ago, and only after the
 * file was read back from the object store and matched, row by row, against the hot events.
 *
 * <p>Per file: download it; its size and SHA-256 must be the manifest's; its rows must be exactly
 * the manifest's seqs, each {@code body} must hash to its {@code leaf_hash}; and every row must
 * equal the hot event of its seq (id, leaf hash, body), or be an event this job already deleted
 * (the store still knows its id at that seq). Then, per seq range of the file and in batches of at
 * most {@link #BATCH} seqs, its events leave the search index and then the event store; last, the
 * file's record becomes {@code expired-hot}. A crash anywhere in between leaves the record {@code
 * sealed}: the next run checks the file again (deleted rows count as matched) and finishes, so
 * nothing is lost and nothing is deleted that is not in a verified file.
 *
 * <p>The age is the file's seal time ({@code created_at}): a file is sealed after every one of its
 * events was received, so each event was received at least the retention ago (by at most {@code
 * archive.interval} more). Tree tiles and checkpoints stay: proofs keep working.
 */
public final class HotRetention {
  private static final Logger LOG = LoggerFactory.getLogger(HotRetention.class);

  /** At most this many seqs per delete transaction. */
  static final int BATCH = 1_000;

  /** Files read per page of records. */
  private static final int PAGE = 200;

  /** Test seam: called after a file was verified and after each deleted batch. */
  interface Hook {
    Hook NONE = (stage, tenant, seq) -> {};

    /** {@code stage} is "verified" (seq: the file's first) or "deleted" (seq: batch end). */
    void reached(String stage, String tenant, long seq);
  }

  /**
   * What one run did: files expired and their events deleted, and restored events removed again
   * because their restore ended ({@code restoredEvents}).
   */
  public record Result(int files, long events, List<String> failures, long restoredEvents) {
    public Result {
      failures = List.copyOf(failures);
    }
  }

  private final RecordStore records;
  private final EventStore store;
  private final SearchIndex index;
  private final ArchivedFileReader files;
  private final Function<String, Duration> retentionOf;
  private final Supplier<List<String>> tenants;
  private final Counter deletedEvents;
  private final Counter expiredFiles;
  private final Counter failedFiles;

  HotRetention(
      ObjectStore objects,
      RecordStore records,
      EventStore store,
      SearchIndex index,
      ParquetFiles parquet,
      Path staging,
      Function<String, Duration> retentionOf,
      Supplier<List<String>> tenants,
      MeterRegistry metrics) {
    this.records = records;
    this.store = store;
    this.index = index;
    this.files = new ArchivedFileReader(objects, parquet, staging);
    this.retentionOf = retentionOf;
    this.tenants = tenants;
    this.deletedEvents =
        Counter.builder("vellum.archive.hot.deleted.events")
            .description("events removed from the hot store after their archive file was verified")
            .register(metrics);
    this.expiredFiles =
        Counter.builder("vellum.archive.hot.expired.files")
            .description("archive files whose events left the hot store")
            .register(metrics);
    this.failedFiles =
        Counter.builder("vellum.archive.hot.failed.files")
            .description("archive files that failed the read-back check; their events stay hot")
            .register(metrics);
  }

  /** One pass over every tenant, as of {@code clock}'s now. */
  Result run(Clock clock, Hook hook) throws InterruptedException {
    int files = 0;
    long events = 0;
    List<String> failures = new ArrayList<>();
    Instant now = clock.instant();
    for (String tenant : tenants.get()) {
      Instant cutoff = now.minus(retentionOf.apply(tenant));
      String after = "";
      while (true) {
        List<RecordStore.Entry> page =
            records.list(ArchiveRecords.FILE, tenant, ArchiveRecords.SEALED, after, PAGE);
        for (RecordStore.Entry entry : page) {
          if (Thread.interrupted()) {
            throw new InterruptedException("hot retention stopped");
          }
          Manifest m = ArchiveRecords.manifest(entry);
          if (!Instant.parse(m.createdAt()).isBefore(cutoff)) {
            continue;
          }
          try {
            events += expire(entry, m, hook, clock);
            files++;
            expiredFiles.increment();
          } catch (IOException | IllegalStateException e) {
            failedFiles.increment();
            String failure = m.key() + ": " + e.getMessage();
            LOG.error("hot retention kept the events of {}", failure);
            failures.add(failure);
          }
        }
        if (page.size() < PAGE) {
          break;
        }
        after = page.get(page.size() - 1).id();
      }
    }
    long restored = 0;
    for (String tenant : tenants.get()) {
      restored += expireRestored(tenant, now);
    }
    return new Result(files, events, failures, restored);
  }

  /**
   * Removes the tenant's restored events whose restore ended at or before {@code now}, in batches;
   * they are in their archive files still (a restore checked them against the files and the log).
   */
  private long expireRestored(String tenant, Instant now) throws InterruptedException {
    long nowMicros = dev.vellum.ingest.Times.micros(now);
    long deleted = 0;
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException("hot retention stopped");
      }
      List<StoredEvent> due = store.restoredExpiring(tenant, nowMicros, BATCH);
      if (due.isEmpty()) {
        return deleted;
      }
      index.forget(tenant, due);
      for (long[] run : runs(due)) {
        deleted += store.deleteRange(tenant, run[0], run[1]);
      }
      deletedEvents.increment(due.size());
      if (due.size() < BATCH) {
        return deleted;
      }
    }
  }

  /** The seqs of {@code events} (ascending) as half-open runs of consecutive seqs. */
  private static List<long[]> runs(List<StoredEvent> events) {
    List<long[]> out = new ArrayList<>();
    for (StoredEvent e : events) {
      long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && last[1] == e.seq()) {
        last[1] = e.seq() + 1;
      } else {
        out.add(new long[] {e.seq(), e.seq() + 1});
      }
    }
    return out;
  }

  /** Verifies one file against the hot store, deletes its events, marks it; returns how many. */
  private long expire(RecordStore.Entry entry, Manifest m, Hook hook, Clock clock)
      throws IOException {
    List<ParquetFiles.Row> rows = readBack(m);
    Map<Long, ParquetFiles.Row> bySeq = new HashMap<>();
    for (ParquetFiles.Row r : rows) {
      bySeq.put(r.seq(), r);
    }
    List<List<StoredEvent>> batches = new ArrayList<>();
    for (long[] range : m.seqRanges()) {
      for (long from = range[0]; from <= range[1]; from += BATCH) {
        long to = Math.min(range[1] + 1, from + BATCH);
        batches.add(match(m, bySeq, from, to));
      }
    }
    hook.reached("verified", m.tenant(), m.firstSeq());
    ArchivedTime.extend(records, m.tenant(), m.maxOccurredAt(), clock);
    long deleted = 0;
    long nowMicros = clock.millis() * 1_000;
    for (List<StoredEvent> batch : batches) {
      // a restore may have brought some back (a file whose deletion a crash interrupted): those
      // stay until their restore ends, and the pass over restored events removes them then
      List<StoredEvent> hot =
          batch.stream()
              .filter(e -> e.restoredUntilMicros() == null || e.restoredUntilMicros() <= nowMicros)
              .toList();
      if (hot.isEmpty()) {
        continue;
      }
      index.forget(m.tenant(), hot);
      for (long[] run : runs(hot)) {
        deleted += store.deleteRange(m.tenant(), run[0], run[1]);
      }
      deletedEvents.increment(hot.size());
      hook.reached("deleted", m.tenant(), hot.get(hot.size() - 1).seq() + 1);
    }
    long micros = clock.millis() * 1_000;
    if (records.put(
            entry.withStatus(ArchiveRecords.EXPIRED_HOT, 0).withBody(entry.body(), micros),
            entry.version())
        < 0) {
      LOG.warn("archive-file record {} changed while its events were expired", m.key());
    }
    return deleted;
  }

  /**
   * Downloads the file and checks it against its manifest and every row against its own leaf hash.
   */
  private List<ParquetFiles.Row> readBack(Manifest m) throws IOException {
    List<ParquetFiles.Row> rows = files.rows(m);
    for (ParquetFiles.Row r : rows) {
      if (!m.covers(r.seq())) {
        throw new IOException("row seq " + r.seq() + " is not in the manifest's ranges");
      }
      String leaf =
          HexFormat.of().formatHex(Rfc6962.leafHash(r.body().getBytes(StandardCharsets.UTF_8)));
      if (!leaf.equals(r.leafHashHex())) {
        throw new IOException("row seq " + r.seq() + ": its body does not hash to its leaf_hash");
      }
    }
    return rows;
  }

  /**
   * The hot events with {@code from <= seq < to}, after checking that each equals the file's row of
   * its seq and that every seq the file has and the store lacks was deleted by this job before.
   */
  private List<StoredEvent> match(
      Manifest m, Map<Long, ParquetFiles.Row> rows, long from, long to) {
    List<StoredEvent> hot = store.range(m.tenant(), from, to);
    Map<Long, StoredEvent> hotBySeq = new HashMap<>();
    for (StoredEvent e : hot) {
      hotBySeq.put(e.seq(), e);
    }
    for (long seq = from; seq < to; seq++) {
      ParquetFiles.Row row = rows.get(seq);
      if (row == null) {
        throw new IllegalStateException("the file has no row for seq " + seq);
      }
      StoredEvent e = hotBySeq.get(seq);
      if (e == null) {
        OptionalLong deleted = store.deletedSeq(m.tenant(), row.id());
        if (deleted.isEmpty() || deleted.getAsLong() != seq) {
          throw new IllegalStateException(
              "seq " + seq + " is in the file but neither in the hot store nor deleted from it");
        }
        continue;
      }
      if (!e.id().equals(row.id())
          || !HexFormat.of().formatHex(e.leafHash()).equals(row.leafHashHex())
          || !e.body().equals(row.body())) {
        throw new IllegalStateException(
            "seq " + seq + ": the file's row differs from the hot event " + e.id());
      }
    }
    return hot;
  }
}
