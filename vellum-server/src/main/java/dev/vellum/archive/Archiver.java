package dev.vellum.archive;

import dev.vellum.objectstore.ObjectStore;
import dev.vellum.objectstore.Sha256;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.RecordStore;
import dev.vellum.store.StoredCheckpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archiver: follows the committed-event feed, buffers events in memory and, when the buffer
 * holds {@code archive.buffer_bytes} of event bodies or its oldest event has waited {@code
 * archive.interval}, seals the whole buffer at once into one Parquet file per (tenant, source,
 * type, day), uploads each with its manifest (verified: the store reads back size and SHA-256), and
 * then, in one transaction, writes the files' {@code archive-file} records, each tenant's {@code
 * archive-progress} and the archiver's own feed position.
 *
 * <p>Why the buffer lives in memory and not on disk: {@link #accept} returns as soon as events are
 * buffered, so the feed runner stores positions past unsealed events; {@link #resumeFrom} answers
 * the position saved with the last seal instead, so after a crash the runner delivers everything
 * that was only buffered again. Events a crash caught between an upload and the records are sealed
 * again on redelivery; the bytes are the same (DuckDB single-threaded), so the key is too and the
 * put replaces the orphan. An event is never sealed twice: seqs at or below a tenant's {@code
 * archived_through_seq} are skipped, and because a seal takes the whole buffer, every event of a
 * tenant up to its last sealed seq is in some file. Sealing the whole buffer at once (as Firehose
 * does) also bounds memory by the one setting.
 *
 * <p>Each manifest names a signed checkpoint covering its file's last seq: the seal waits for the
 * checkpointer (it signs every {@code checkpoint.interval}) and fails, keeping the buffer, if none
 * comes in time.
 */
final class Archiver implements FeedConsumer, AutoCloseable {
  static final String NAME = "archive";
  private static final Logger LOG = LoggerFactory.getLogger(Archiver.class);

  /** Per-event overhead counted against the buffer besides the body's characters. */
  private static final int ROW_OVERHEAD = 256;

  /** Uploads in flight at once during a seal. */
  private static final int UPLOADERS = 4;

  /** Waits for a signed checkpoint covering a tenant's seq, at most {@code timeout}. */
  @FunctionalInterface
  interface Checkpoints {
    Optional<StoredCheckpoint> awaitCovering(String tenant, long size, Duration timeout)
        throws InterruptedException;
  }

  private record Batch(String tenant, String source, String type, LocalDate day) {}

  private final ObjectStore objects;
  private final RecordStore records;
  private final Checkpoints checkpoints;
  private final ParquetFiles parquet;
  private final Path staging;
  private final long bufferLimit;
  private final Duration interval;
  private final Duration checkpointWait;
  private final Clock clock;
  private final ScheduledExecutorService timer;

  /** Uploads of one seal, a few at a time (see {@link #sealFiles}). */
  private final ExecutorService uploaders;

  private final Map<String, Long> archivedThrough = new HashMap<>();
  private final List<NewEvent> buffer = new ArrayList<>();
  private long bufferedBytes;
  private long oldestNanos;
  private long lastAccepted;
  private long savedPosition = -1;

  /** The last seal's time in {@link ParquetFiles#sealAll}, for its log line. */
  private long parquetNanos;

  private volatile int bufferedEvents;
  private final Counter sealedFiles;
  private final Counter sealedEvents;
  private final Counter sealFailures;
  private volatile @Nullable String sealFailure;

  Archiver(
      ObjectStore objects,
      RecordStore records,
      Checkpoints checkpoints,
      ParquetFiles parquet,
      Path staging,
      long bufferLimit,
      Duration interval,
      Duration checkpointWait,
      Clock clock,
      MeterRegistry metrics)
      throws IOException {
    this.objects = objects;
    this.records = records;
    this.checkpoints = checkpoints;
    this.parquet = parquet;
    this.staging = Files.createDirectories(staging);
    this.bufferLimit = bufferLimit;
    this.interval = interval;
    this.checkpointWait = checkpointWait;
    this.clock = clock;
    clearStaging();
    this.sealedFiles =
        Counter.builder("vellum.archive.files.sealed")
            .description("Parquet files sealed, uploaded and verified")
            .register(metrics);
    this.sealedEvents =
        Counter.builder("vellum.archive.events.sealed")
            .description("events sealed into archive files")
            .register(metrics);
    this.sealFailures =
        Counter.builder("vellum.archive.seal.failures")
            .description("seals that failed (the buffer is kept and sealed later)")
            .register(metrics);
    Gauge.builder("vellum.archive.buffered.events", this, a -> a.bufferedEvents)
        .description("events buffered in memory, not yet sealed")
        .register(metrics);
    this.uploaders =
        Executors.newFixedThreadPool(
            UPLOADERS,
            r -> {
              Thread t = new Thread(r, "vellum-archive-upload");
              t.setDaemon(true);
              return t;
            });
    long tick = Math.max(10, Math.min(1_000, interval.toMillis() / 2));
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vellum-archiver");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<String> clusterRole() {
    return Optional.of(NAME);
  }

  @Override
  public synchronized long resumeFrom(long storedPosition) {
    long sealed = ArchiveRecords.feedPosition(records);
    savedPosition = sealed;
    lastAccepted = Math.min(storedPosition, sealed);
    buffer.clear();
    bufferedEvents = 0;
    bufferedBytes = 0;
    return lastAccepted;
  }

  @Override
  public synchronized void accept(List<FeedEvent> events) throws Exception {
    for (FeedEvent f : events) {
      if (f.position() <= lastAccepted) {
        continue; // delivered again after a failed accept: already buffered
      }
      if (bufferedBytes >= bufferLimit) {
        flush();
      }
      NewEvent e = f.event();
      // a restored event is in a sealed file already (its seq is at or below the tenant's
      // archived_through_seq anyway; the flag says so without a lookup)
      if (!f.restored() && e.seq() > archivedThrough(e.tenant())) {
        if (buffer.isEmpty()) {
          oldestNanos = System.nanoTime();
        }
        buffer.add(e);
        bufferedEvents = buffer.size();
        bufferedBytes += e.body().length() + ROW_OVERHEAD;
      }
      lastAccepted = f.position();
    }
    if (bufferedBytes >= bufferLimit) {
      flush();
    }
  }

  private long archivedThrough(String tenant) {
    return archivedThrough.computeIfAbsent(
        tenant, t -> ArchiveRecords.archivedThroughSeq(records, t));
  }

  private synchronized void tick() {
    try {
      if (buffer.isEmpty()
          ? lastAccepted > savedPosition
          : System.nanoTime() - oldestNanos >= interval.toNanos()) {
        flush();
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("archiver could not seal {} buffered events: {}", buffer.size(), e.toString());
    }
  }

  /** Seals everything buffered now; on failure the buffer stays for the next attempt. */
  synchronized void flush() throws IOException, InterruptedException {
    try {
      seal();
      sealFailure = null;
    } catch (IOException | InterruptedException | RuntimeException e) {
      sealFailures.increment();
      sealFailure = "sealing " + buffer.size() + " buffered events failed: " + e;
      throw e;
    }
  }

  /** The last seal's failure until a seal succeeds: timed seals fail outside the runner's view. */
  @Override
  public Optional<String> failure() {
    return Optional.ofNullable(sealFailure);
  }

  private void seal() throws IOException, InterruptedException {
    long started = System.nanoTime();
    long now = micros(clock.instant());
    List<RecordStore.Entry> entries = new ArrayList<>();
    Map<String, Long> lastSeqs = new TreeMap<>();
    Map<Batch, List<NewEvent>> batches = new TreeMap<>(BATCH_ORDER);
    for (NewEvent e : buffer) {
      lastSeqs.merge(e.tenant(), e.seq(), Math::max);
      Batch b =
          new Batch(e.tenant(), e.source(), e.type(), ArchiveLayout.dayOf(e.occurredAtMicros()));
      batches.computeIfAbsent(b, k -> new ArrayList<>()).add(e);
    }
    Map<String, StoredCheckpoint> covering = new HashMap<>();
    for (Map.Entry<String, Long> t : lastSeqs.entrySet()) {
      covering.put(t.getKey(), covering(t.getKey(), t.getValue()));
    }
    long filesStarted = System.nanoTime();
    entries.addAll(sealFiles(batches, covering, now));
    long recordsStarted = System.nanoTime();
    for (Map.Entry<String, Long> t : lastSeqs.entrySet()) {
      entries.add(
          RecordStore.Entry.of(
              ArchiveRecords.PROGRESS,
              t.getKey(),
              t.getKey(),
              ArchiveRecords.progressBody(t.getValue()),
              now));
    }
    entries.add(
        RecordStore.Entry.of(
            ArchiveRecords.FEED,
            ArchiveRecords.FEED_TENANT,
            ArchiveRecords.FEED_TENANT,
            ArchiveRecords.feedBody(lastAccepted),
            now));
    records.putAll(entries);
    long done = System.nanoTime();
    archivedThrough.putAll(lastSeqs);
    savedPosition = lastAccepted;
    if (!buffer.isEmpty()) {
      // where a seal's time goes, for anyone asking whether the archiver keeps up
      LOG.info(
          "archived {} events in {} files in {} ms (grouping and checkpoints {} ms, Parquet {} ms,"
              + " uploads {} ms, records {} ms)",
          buffer.size(),
          batches.size(),
          millis(done - started),
          millis(filesStarted - started),
          millis(parquetNanos),
          millis(recordsStarted - filesStarted - parquetNanos),
          millis(done - recordsStarted));
    }
    sealedFiles.increment(batches.size());
    sealedEvents.increment(buffer.size());
    buffer.clear();
    bufferedEvents = 0;
    bufferedBytes = 0;
  }

  private static final Comparator<Batch> BATCH_ORDER =
      Comparator.comparing(Batch::tenant)
          .thenComparing(Batch::source)
          .thenComparing(Batch::type)
          .thenComparing(Batch::day);

  private StoredCheckpoint covering(String tenant, long lastSeq)
      throws IOException, InterruptedException {
    return checkpoints
        .awaitCovering(tenant, lastSeq + 1, checkpointWait)
        .orElseThrow(
            () ->
                new IOException(
                    "no signed checkpoint of tenant "
                        + tenant
                        + " covers seq "
                        + lastSeq
                        + " after "
                        + checkpointWait.toMillis()
                        + " ms; the buffer is kept and sealed later"));
  }

  /**
   * Writes every batch's Parquet file in one go (one DuckDB table and one partitioned COPY per
   * seal, see {@link ParquetFiles#sealAll}), then uploads each file and its manifest, verified.
   * Returns the files' records, to be written with the progress in one transaction.
   */
  private List<RecordStore.Entry> sealFiles(
      Map<Batch, List<NewEvent>> batches, Map<String, StoredCheckpoint> covering, long now)
      throws IOException {
    List<Batch> keys = new ArrayList<>(batches.size());
    List<List<NewEvent>> groups = new ArrayList<>(batches.size());
    List<Path> files = new ArrayList<>(keys.size());
    List<RecordStore.Entry> entries = new ArrayList<>(keys.size());
    try {
      for (Map.Entry<Batch, List<NewEvent>> batch : batches.entrySet()) {
        List<NewEvent> events = batch.getValue();
        keys.add(batch.getKey());
        events.sort(Comparator.comparingLong(NewEvent::seq));
        groups.add(events);
        // not created here: DuckDB's files are renamed to these names, and each is then moved
        // into the store, so a seal makes no inode per file beyond DuckDB's own
        files.add(staging.resolve("seal-" + files.size() + ".parquet"));
      }
      long parquetStarted = System.nanoTime();
      parquet.sealAll(groups, files, staging);
      parquetNanos = System.nanoTime() - parquetStarted;
      // uploads are independent and each waits on the store (fsyncs, or an S3 round trip and a
      // download to verify): a few at a time keep the seal from being their sum
      List<Future<RecordStore.Entry>> uploads = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        Batch b = keys.get(i);
        StoredCheckpoint cp =
            java.util.Objects.requireNonNull(covering.get(b.tenant()), "every tenant's");
        List<NewEvent> events = groups.get(i);
        Path file = files.get(i);
        uploads.add(uploaders.submit(() -> upload(b, events, file, cp, now)));
      }
      for (Future<RecordStore.Entry> f : uploads) {
        entries.add(awaitUpload(f, uploads));
      }
      return entries;
    } finally {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    }
  }

  private static RecordStore.Entry awaitUpload(
      Future<RecordStore.Entry> f, List<Future<RecordStore.Entry>> all) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      all.forEach(u -> u.cancel(true));
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while uploading archive files", e);
    } catch (ExecutionException e) {
      all.forEach(u -> u.cancel(true));
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException("archive upload failed: " + e.getCause(), e.getCause());
    }
  }

  private RecordStore.Entry upload(
      Batch b, List<NewEvent> events, Path file, StoredCheckpoint cp, long now) throws IOException {
    long size = Files.size(file);
    String sha = Sha256.of(file);
    long first = events.get(0).seq();
    long last = events.get(events.size() - 1).seq();
    String key = ArchiveLayout.fileKey(b.tenant(), b.source(), b.type(), b.day(), first, last, sha);
    if (key.length() > RecordStore.MAX_KEY_LENGTH) {
      throw new IOException(
          "archive key is longer than a record id may be ("
              + RecordStore.MAX_KEY_LENGTH
              + "): "
              + key);
    }
    Manifest m = manifest(b, events, key, size, sha, cp, now);
    String body = m.toJson();
    // both verified: size and SHA-256 read back from the store (the file's against the hash above)
    objects.moveIn(key, file, sha);
    objects.put(ArchiveLayout.manifestKey(key), body.getBytes(StandardCharsets.UTF_8));
    return new RecordStore.Entry(
        ArchiveRecords.FILE, b.tenant(), key, body, ArchiveRecords.SEALED, 0, 0, now);
  }

  private static Manifest manifest(
      Batch b,
      List<NewEvent> events,
      String key,
      long size,
      String sha,
      StoredCheckpoint cp,
      long now) {
    long[] seqs = events.stream().mapToLong(NewEvent::seq).toArray();
    long minTime = Long.MAX_VALUE;
    long maxTime = Long.MIN_VALUE;
    for (NewEvent e : events) {
      minTime = Math.min(minTime, e.occurredAtMicros());
      maxTime = Math.max(maxTime, e.occurredAtMicros());
    }
    return new Manifest(
        b.tenant(),
        key,
        size,
        sha,
        events.size(),
        Manifest.ranges(seqs),
        seqs[0],
        seqs[seqs.length - 1],
        text(minTime),
        text(maxTime),
        b.source(),
        b.type(),
        b.day().toString(),
        cp.treeSize(),
        Base64.getEncoder().encodeToString(cp.rootHash()),
        cp.note(),
        text(now));
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }

  static String text(long micros) {
    return Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L)
        .toString();
  }

  static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000L);
  }

  private void clearStaging() throws IOException {
    // files and DuckDB's partition folders left by a crash mid-seal; the events come again
    try (var files = Files.walk(staging)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(staging)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Stops the timer; what is buffered is delivered again after the next start. */
  @Override
  public void close() {
    timer.shutdownNow();
    uploaders.shutdownNow();
    try {
      timer.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
