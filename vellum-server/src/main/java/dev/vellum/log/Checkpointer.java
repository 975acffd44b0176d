package dev.vellum.log;

import dev.vellum.core.note.Checkpoint;
import dev.vellum.core.note.NoteSigner;
import dev.vellum.ingest.Times;
import dev.vellum.lease.Lease;
import dev.vellum.store.EventStore;
import dev.vellum.store.StoredCheckpoint;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs a checkpoint of each tenant's tree head whenever the tree has grown, at most once per
 * interval (default 1 s), and keeps every signed checkpoint. Callers that need a checkpoint
 * covering their events wait on {@link #awaitCovering}.
 *
 * <p>It signs only while this node holds the {@link Lease#CHECKPOINT_SIGNER} lease. On a store that
 * several nodes share, the heads it signs are the store's (whatever node appended) and the
 * checkpoints it serves are read from the store, so every node serves the one checkpoint history of
 * each tenant, whichever node signed it.
 */
final class Checkpointer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);

  private final EventStore store;
  private final SigningKey key;
  private final Supplier<Map<String, TileLogWriter.Head>> heads;
  private final Clock clock;
  private final Duration interval;
  private final Lease lease;
  private final boolean shared;
  private final Map<String, StoredCheckpoint> latest = new ConcurrentHashMap<>();
  private final Map<String, NoteSigner> signers = new ConcurrentHashMap<>();
  private final Object signal = new Object();
  private @Nullable Thread thread;
  private volatile boolean running;

  /** Writes through the single writer; set at start. */
  private volatile @Nullable CheckpointWriter writer;

  Checkpointer(
      EventStore store,
      SigningKey key,
      Supplier<Map<String, TileLogWriter.Head>> heads,
      Clock clock,
      Duration interval,
      Lease lease,
      boolean shared) {
    this.lease = lease;
    this.shared = shared;
    this.store = store;
    this.key = key;
    this.heads = heads;
    this.clock = clock;
    this.interval = interval;
  }

  void start(CheckpointWriter checkpointWriter) {
    this.writer = checkpointWriter;
    running = true;
    thread = new Thread(this::run, "vellum-checkpointer");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (running) {
      try {
        Thread.sleep(interval.toMillis());
        signDue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.error("checkpoint signing failed; retrying next interval", e);
      }
    }
  }

  /** Signs every tenant whose durable tree is larger than its last signed checkpoint. */
  void signDue() {
    if (!lease.held()) {
      return;
    }
    for (Map.Entry<String, TileLogWriter.Head> h : heads.get().entrySet()) {
      String tenant = h.getKey();
      long signed = latest(tenant).map(StoredCheckpoint::treeSize).orElse(-1L);
      if (h.getValue().size() > signed && lease.held()) {
        sign(tenant, h.getValue());
      }
    }
  }

  private void sign(String tenant, TileLogWriter.Head head) {
    NoteSigner signer = signers.computeIfAbsent(tenant, key::signer);
    String note =
        signer.sign(new Checkpoint(key.origin(tenant), head.size(), head.root()).toNoteText());
    StoredCheckpoint saved =
        new StoredCheckpoint(head.size(), head.root(), note, Times.micros(clock.instant()));
    try {
      Objects.requireNonNull(writer, "set by start()")
          .save(tenant, saved)
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while saving a checkpoint", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          "saving the checkpoint of "
              + tenant
              + " at size "
              + head.size()
              + " failed: "
              + e.getMessage(),
          e);
    }
    latest.merge(tenant, saved, (a, b) -> a.treeSize() >= b.treeSize() ? a : b);
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  /** The latest checkpoint of size ≥ {@code size}, waiting for it up to {@code timeout}. */
  Optional<StoredCheckpoint> awaitCovering(String tenant, long size, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (signal) {
      while (signedSizeOf(tenant) < size) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        // on a shared store another node may sign it: look at the store again every 100 ms
        signal.wait(Math.max(1, Math.min(shared ? 100 : Long.MAX_VALUE, left / 1_000_000)));
      }
    }
    return latest(tenant).filter(c -> c.treeSize() >= size);
  }

  private long signedSizeOf(String tenant) {
    if (shared) {
      return latest(tenant).map(StoredCheckpoint::treeSize).orElse(-1L);
    }
    StoredCheckpoint known = latest.get(tenant);
    return known == null ? -1 : known.treeSize();
  }

  /**
   * The tenant's latest signed checkpoint, kept in memory once read or signed; on a shared store
   * always read from the store, where any node may have saved a later one.
   */
  Optional<StoredCheckpoint> latest(String tenant) {
    if (shared) {
      return store.latestCheckpoint(tenant);
    }
    StoredCheckpoint known = latest.get(tenant);
    if (known != null) {
      return Optional.of(known);
    }
    Optional<StoredCheckpoint> stored = store.latestCheckpoint(tenant);
    stored.ifPresent(c -> latest.merge(tenant, c, (a, b) -> a.treeSize() >= b.treeSize() ? a : b));
    return stored;
  }

  /**
   * Stops the thread and signs what is still unsigned (if this node holds the lease), so a clean
   * stop leaves no gap. The writer must still be running.
   */
  @Override
  public void close() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      signDue();
    }
  }
}
