package dev.vellum.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The hot store of audit events and of each tenant's Merkle log.
 *
 * <p>Writes come from exactly one sequencer per log; implementations may rely on that and need
 * not guard against concurrent appends for the same tenant. Reads may run concurrently with
 * writes and see only committed data.
 */
public interface EventStore extends AutoCloseable {

  /** The seq the next event of {@code tenant} gets: the number of events it has. */
  long nextSeq(String tenant);

  /** Committed events that searches cannot find yet because their indexing is still pending. */
  long unindexedEvents();

  /** Stored events of {@code tenant} whose id is among {@code ids}, keyed by id. */
  Map<String, StoredEvent> findByIds(String tenant, Collection<String> ids);

  /**
   * Writes the events and the changed tiles in one transaction. MUST NOT return until that
   * transaction is durably committed; on any failure nothing of it is visible.
   */
  void append(List<NewEvent> events, List<TileWrite> tiles);

  Optional<StoredEvent> findById(String tenant, String id);

  /** Events matching {@code filter} in (occurred_at, seq) order, at most {@code filter.limit()}. */
  List<StoredEvent> query(EventFilter filter);

  /** Counts per time bucket and group value; {@code groupColumn} is type, outcome or source. */
  List<StatsBucket> stats(String tenant, long fromMicros, long toMicros, long bucketMicros,
      String groupColumn);

  /** Events of {@code tenant} with {@code fromSeq <= seq < toSeq}, in seq order. */
  List<StoredEvent> range(String tenant, long fromSeq, long toSeq);

  /** The stored contents of one hash tile, or null if it does not exist. */
  byte[] readTile(String tenant, int level, long index);

  /** Keeps a signed checkpoint; a second one for the same size is ignored. */
  void saveCheckpoint(String tenant, StoredCheckpoint checkpoint);

  /** The checkpoint with the largest tree size, if any was signed. */
  Optional<StoredCheckpoint> latestCheckpoint(String tenant);

  /** The checkpoint for exactly {@code treeSize}, if one was signed. */
  Optional<StoredCheckpoint> checkpoint(String tenant, long treeSize);

  /** Checkpoints with tree size ≥ {@code sinceSize}, ascending, at most {@code limit}. */
  List<StoredCheckpoint> checkpoints(String tenant, long sinceSize, int limit);

  @Override
  void close();
}
