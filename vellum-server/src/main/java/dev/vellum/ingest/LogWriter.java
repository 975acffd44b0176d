package dev.vellum.ingest;

import dev.vellum.store.TileWrite;
import java.util.List;

/**
 * The Merkle-log side of a commit. The sequencer calls {@link #stage} for each tenant of a batch
 * before writing it, puts the returned tiles into the same transaction as the events, and then
 * calls exactly one of {@link #committed} or {@link #aborted}.
 */
public interface LogWriter {
  /** Appends leaves after the tenant's current tree; returns the tiles that change. */
  List<TileWrite> stage(String tenant, long firstSeq, List<byte[]> leafHashes);

  /** The staged state is durable: make it current. */
  void committed();

  /** The transaction failed: forget everything staged since the last commit. */
  void aborted();

  /**
   * Another writer (a second node on a shared store) has appended to the tenant's log since this
   * one last saw it: drop what is held in memory for it, so the next {@link #stage} reloads the
   * tree from the store. Called inside the commit transaction, which holds the tenant's lock.
   */
  void forget(String tenant);
}
