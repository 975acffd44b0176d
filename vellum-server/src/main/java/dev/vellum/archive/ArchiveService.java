package dev.vellum.archive;

import dev.vellum.config.VellumConfig;
import dev.vellum.objectstore.ObjectStore;
import dev.vellum.objectstore.ObjectStores;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.RecordStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;

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

  private ArchiveService(
      VellumConfig config,
      RecordStore records,
      Archiver.Checkpoints checkpoints,
      Clock clock,
      MeterRegistry metrics)
      throws IOException {
    this.objects = ObjectStores.open(config.archive(), config.dataDir());
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

  @Override
  public void close() {
    archiver.close();
    parquet.close();
    objects.close();
  }
}
