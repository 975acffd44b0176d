package dev.vellum.archive;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.config.VellumConfig;
import dev.vellum.lease.Lease;
import dev.vellum.objectstore.ObjectStore;
import dev.vellum.objectstore.ObjectStores;
import dev.vellum.query.ArchiveReader;
import dev.vellum.search.SearchIndex;
import dev.vellum.store.EventStore;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.RecordStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archive of one node: its object store, the archiver that feeds it, and (for the HTTP API and
 * the CLI) what reads it back.
 */
public final class ArchiveService implements AutoCloseable {
  /**
   * Staging files of seals in progress, inside the data dir (same file system as a local store).
   */
  static final String STAGING_DIR = "archive-staging";

  /** The cluster role whose lease runs hot retention (one node at a time on PostgreSQL). */
  public static final String RETENTION_ROLE = "retention";

  /** How often hot retention looks for files whose events may leave the hot store. */
  static final Duration RETENTION_EVERY = Duration.ofMinutes(10);

  private static final Logger LOG = LoggerFactory.getLogger(ArchiveService.class);

  private final ObjectStore objects;
  private final ParquetFiles parquet = new ParquetFiles();
  private final Archiver archiver;
  private final HotRetention retention;
  private final ArchivedEvents archived;
  private final @Nullable ScheduledExecutorService scheduler;
  private final VellumConfig config;
  private final RecordStore records;
  private final MeterRegistry metrics;
  private final Clock clock;
  private @Nullable ArchiveRetention archiveRetention;
  private final Hot hot;
  private final Path staging;
  private final VellumConfig.Restore restoreSettings;

  /** What hot retention works on: the hot store, its search index and the tenants. */
  public record Hot(EventStore store, SearchIndex index, Supplier<List<String>> tenants) {}

  private ArchiveService(
      VellumConfig config,
      RecordStore records,
      Archiver.Checkpoints checkpoints,
      Hot hot,
      @Nullable Lease retentionLease,
      Clock clock,
      MeterRegistry metrics)
      throws IOException {
    this.objects = ObjectStores.open(config.archive(), config.dataDir());
    this.config = config;
    this.records = records;
    this.metrics = metrics;
    this.clock = clock;
    this.hot = hot;
    this.restoreSettings = config.archive().restore();
    Path staging = config.dataDir().resolve(STAGING_DIR);
    this.staging = staging;
    this.retention =
        new HotRetention(
            objects,
            records,
            hot.store(),
            hot.index(),
            parquet,
            staging,
            config.archive()::hotRetentionOf,
            hot.tenants(),
            metrics);
    this.archived = new ArchivedEvents(objects, records, hot.store(), parquet, staging);
    try {
      Duration checkpointWait =
          Duration.ofSeconds(30).plus(config.checkpointInterval().multipliedBy(3));
      this.archiver =
          new Archiver(
              objects,
              records,
              checkpoints,
              parquet,
              config.dataDir().resolve(STAGING_DIR),
              config.archive().bufferBytes(),
              config.archive().interval(),
              checkpointWait,
              clock,
              metrics);
    } catch (IOException | RuntimeException e) {
      objects.close();
      throw e;
    }
    if (retentionLease == null) {
      this.scheduler = null;
    } else {
      ScheduledExecutorService s =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "vellum-hot-retention");
                t.setDaemon(true);
                return t;
              });
      var unused =
          s.scheduleWithFixedDelay(
              () -> runScheduled(retentionLease),
              RETENTION_EVERY.toMillis(),
              RETENTION_EVERY.toMillis(),
              TimeUnit.MILLISECONDS);
      this.scheduler = s;
    }
  }

  private void runScheduled(Lease lease) {
    if (!lease.held()) {
      return;
    }
    try {
      HotRetention.Result r = retention.run(clock, HotRetention.Hook.NONE);
      if (r.files() > 0 || !r.failures().isEmpty()) {
        LOG.info(
            "hot retention: {} events of {} archive files left the hot store, {} files failed",
            r.events(),
            r.files(),
            r.failures().size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("hot retention failed; it runs again in {}", RETENTION_EVERY, e);
    }
  }

  /**
   * Runs hot retention once now as of {@code asOf}'s time (tests and tools pass a clock ahead of
   * the node's to make events old), whether or not this node holds the lease.
   */
  public HotRetention.Result expireHot(Clock asOf) throws InterruptedException {
    return retention.run(asOf, HotRetention.Hook.NONE);
  }

  HotRetention.Result expireHot(Clock asOf, HotRetention.Hook hook) throws InterruptedException {
    return retention.run(asOf, hook);
  }

  /**
   * The restore service: {@code feed} is handed the restored events once they are durable (as the
   * writer hands over its commits), {@code recorder} records the ARCHIVE_RESTORED event in the
   * tenant's log and answers its id.
   */
  public Restores restores(
      java.util.function.Consumer<List<dev.vellum.store.FeedEvent>> feed,
      java.util.function.BiFunction<String, com.fasterxml.jackson.databind.node.ObjectNode, String>
          recorder) {
    return new Restores(
        objects,
        records,
        hot.store(),
        hot.index(),
        parquet,
        staging,
        restoreSettings,
        feed,
        recorder,
        clock);
  }

  /** Archived events by id and the archived-time boundary, for queries. */
  public ArchiveReader reader() {
    return archived;
  }

  /** Opens the configured object store and prepares the archiver (not yet following the feed). */
  public static ArchiveService open(
      VellumConfig config,
      RecordStore records,
      Checkpoints checkpoints,
      Hot hot,
      @Nullable Lease retentionLease,
      Clock clock,
      MeterRegistry metrics) {
    try {
      return new ArchiveService(
          config, records, checkpoints::awaitCovering, hot, retentionLease, clock, metrics);
    } catch (IOException e) {
      throw new UncheckedIOException("could not open the archive: " + e.getMessage(), e);
    }
  }

  /** Where the node's log signs checkpoints: the archiver waits for one covering each file. */
  @FunctionalInterface
  public interface Checkpoints {
    java.util.Optional<dev.vellum.store.StoredCheckpoint> awaitCovering(
        String tenant, long size, Duration timeout) throws InterruptedException;
  }

  /** The feed consumer to follow. */
  public FeedConsumer archiver() {
    return archiver;
  }

  public ObjectStore objects() {
    return objects;
  }

  /** Seals whatever is buffered now (tests, and the CLI's "archive now"). */
  public void sealNow() throws IOException, InterruptedException {
    archiver.flush();
  }

  /**
   * Starts archive retention (see {@link ArchiveRetention}): every {@code
   * archive.retention_interval}, while {@code lease} is held, deletes the files past their tenant's
   * retention that no legal hold covers, each deletion announced by an ARCHIVE_FILES_DELETED event
   * recorded through {@code log} (the ingest path's system events) before any object goes.
   */
  public synchronized void startRetention(
      LegalHolds holds,
      BiConsumer<String, ObjectNode> log,
      Supplier<List<String>> tenants,
      Lease lease) {
    if (archiveRetention != null) {
      throw new IllegalStateException("archive retention is running already");
    }
    try {
      archiveRetention =
          new ArchiveRetention(
              objects,
              records,
              holds,
              config.dataDir().resolve(STAGING_DIR).resolve("retention"),
              log::accept,
              tenants,
              config.archive().retention(),
              config.archive().tenantRetention(),
              config.archive().retentionInterval(),
              clock,
              lease,
              metrics);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start archive retention: " + e.getMessage(), e);
    }
  }

  /** The running retention job (tests drive it with {@code runOnce}). */
  synchronized ArchiveRetention retention() {
    ArchiveRetention r = archiveRetention;
    if (r == null) {
      throw new IllegalStateException("archive retention was not started");
    }
    return r;
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ArchiveRetention r;
    synchronized (this) {
      r = archiveRetention;
    }
    if (r != null) {
      r.close();
    }
    archiver.close();
    parquet.close();
    objects.close();
  }
}
