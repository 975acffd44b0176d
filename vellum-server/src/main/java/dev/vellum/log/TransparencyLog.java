package dev.vellum.log;

import dev.vellum.config.VellumConfig;
import dev.vellum.ingest.CommittedBatch;
import dev.vellum.ingest.LogWriter;
import dev.vellum.store.EventStore;
import java.time.Clock;

/**
 * Each tenant's append-only Merkle log: the tiles written with every commit, and (to come) the
 * signed checkpoints, proofs and tiles served to auditors.
 */
public final class TransparencyLog implements AutoCloseable {
  private final VellumConfig config;
  private final EventStore store;
  private final Clock clock;
  private final TileLogWriter writer;

  private TransparencyLog(VellumConfig config, EventStore store, Clock clock) {
    this.config = config;
    this.store = store;
    this.clock = clock;
    this.writer = new TileLogWriter(store);
  }

  public static TransparencyLog open(VellumConfig config, EventStore store, Clock clock) {
    return new TransparencyLog(config, store, clock);
  }

  /** The sequencer's hook for writing tiles in the same transaction as the events. */
  public LogWriter writer() {
    return writer;
  }

  /** Called on the sequencer thread after each durable commit. */
  public void committed(CommittedBatch batch) {
    // checkpoint signing reacts to new tree heads here
  }

  public void startCheckpointer() {
    // the checkpointer thread starts here
  }

  @Override
  public void close() {
    // the final checkpoint is signed here
  }
}
