package dev.vellum.archive;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.config.VellumConfig;
import dev.vellum.lease.Lease;
import dev.vellum.objectstore.ObjectStore;
import dev.vellum.objectstore.ObjectStores;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.RecordStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The archive of one node: its object store, the archiver that feeds it, and (for the HTTP API and
 * the CLI) what reads it back.
 */
public final class ArchiveService implements AutoCloseable {
  /**
   * Staging files of seals in progress, inside the data dir (same file system as a local store).
   */
  static final String STAGING_DIR = "archive-staging";

  private final ObjectStore objects;
  private final ParquetFiles parquet = new ParquetFiles();
  private final Archiver archiver;
  private final VellumConfig config;
  private final RecordStore records;
  private final MeterRegistry metrics;
  private final Clock clock;
  private @Nullable ArchiveRetention retention;

  private ArchiveService(
      VellumConfig config,
      RecordStore records,
      Archiver.Checkpoints checkpoints,
      Clock clock,
      MeterRegistry metrics)
      throws IOException {
    this.objects = ObjectStores.open(config.archive(), config.dataDir());
    this.config = config;
    this.records = records;
    this.metrics = metrics;
    this.clock = clock;
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
  }

  /** Opens the configured object store and prepares the archiver (not yet following the feed). */
  public static ArchiveService open(
      VellumConfig config,
      RecordStore records,
      Checkpoints checkpoints,
      Clock clock,
      MeterRegistry metrics) {
    try {
      return new ArchiveService(config, records, checkpoints::awaitCovering, clock, metrics);
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
    if (retention != null) {
      throw new IllegalStateException("archive retention is running already");
    }
    try {
      retention =
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
    ArchiveRetention r = retention;
    if (r == null) {
      throw new IllegalStateException("archive retention was not started");
    }
    return r;
  }

  @Override
  public void close() {
    ArchiveRetention r;
    synchronized (this) {
      r = retention;
    }
    if (r != null) {
      r.close();
    }
    archiver.close();
    parquet.close();
    objects.close();
  }
}
