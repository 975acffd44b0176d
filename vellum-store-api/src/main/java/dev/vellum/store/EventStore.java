package dev.vellum.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The hot store of audit events, of each tenant's Merkle log and of the committed-event feed.
 *
 * <p>What every engine MUST guarantee (the contract suite {@code EventStoreContract} checks each):
 *
 * <ol>
 *   <li><b>Acknowledged means durable.</b> {@link #append} MUST NOT return until its transaction is
 *       durably committed. If it throws, nothing of the batch is visible, then or later.
 *   <li><b>Per-tenant {@code seq} without gaps.</b> A tenant's events have seqs 0, 1, 2, … in
 *       commit order. {@link #append} MUST reject (with nothing written) a batch whose events of a
 *       tenant do not continue that tenant's stored seqs exactly and contiguously.
 *   <li><b>Idempotency by id.</b> At most one event per (tenant, id): {@link #append} MUST reject a
 *       batch holding an id already stored for that tenant (the writer looks ids up first and
 *       answers retries from the stored event).
 *   <li><b>Feed order.</b> Each committed event gets a feed position in its commit transaction,
 *       strictly increasing in commit order across tenants, starting above 0. Sequential
 *       visibility: a reader that can see position p+1 MUST already see every position ≤ p that
 *       will ever exist. An engine with several writers that could commit out of order MUST NOT
 *       expose a gap that later fills (for example: serialise position assignment under a lock held
 *       to commit, or read only below the oldest open writer's transaction).
 *   <li><b>One logical writer per tenant.</b> Only the sequencer calls {@link #append}. A second
 *       writer is fenced off by rule 2: its seqs no longer continue the stored ones, so its append
 *       fails without writing. A second process on the same files is kept out before the store
 *       opens (the data-dir lock for embedded engines).
 *   <li><b>Deletion keeps the log's heads.</b> {@link #deleteRange} (hot retention, after the
 *       events were archived) removes events only: {@link #nextSeq} and {@link #lastPosition} never
 *       go back, so no seq and no feed position is handed out twice; tiles, checkpoints, consumer
 *       positions and dead letters stay, so proofs keep working. A deleted event is found by no
 *       read (by id, seq, range or the feed) except {@link #deletedSeq}.
 *   <li><b>Restore never re-sequences.</b> {@link #restore} puts back only events that {@link
 *       #deleteRange} removed, each with its original seq, id, leaf hash, body and times, and
 *       nothing else: a seq that was never deleted, one that is present again, or an id that is now
 *       another event's is refused with nothing written. {@link #nextSeq} and the Merkle log stay
 *       as they were; the restored events get new feed positions (rule 4 holds for them) and are
 *       marked restored wherever they are read ({@link StoredEvent#restored()}, {@link
 *       FeedEvent#restored()}).
 * </ol>
 *
 * <p><b>Idempotency holds for the hot window only.</b> Rule 3 covers the ids the store holds: once
 * an event was deleted, an append with its id is accepted as a new event with a new seq (the
 * writer's id lookup no longer finds it). {@link #deletedSeq} still knows the id, so a later
 * version could extend idempotency over the archive; this one does not.
 *
 * <p>Reads may run concurrently with the writer and see only committed data.
 */
public interface EventStore extends AutoCloseable {

  /** The seq the next event of {@code tenant} gets: the number of events it has. */
  long nextSeq(String tenant);

  /** Stored events of {@code tenant} whose id is among {@code ids}, keyed by id. */
  Map<String, StoredEvent> findByIds(String tenant, Collection<String> ids);

  /**
   * Writes everything in {@code batch} in one transaction and returns the feed position of its
   * first event (the others follow consecutively), or the last committed position if it has none.
   * MUST NOT return until the transaction is durably committed; on any failure nothing of it is
   * visible. Consumer positions are upserted; a checkpoint already kept for its size is ignored.
   */
  long append(WriteBatch batch);

  /**
   * Computes the batch to commit once the store has given the writer its tenants' current heads;
   * see {@link #append(Set, Stager)}.
   */
  @FunctionalInterface
  interface Stager {
    /**
     * Returns the batch to write. {@code nextSeqs} holds, for each tenant whose head the engine
     * locked, the seq its next event gets; the batch's events of that tenant MUST start there. A
     * tenant absent from the map is one whose count the writer keeps itself (engines with a single
     * writer pass an empty map: nothing else can have appended).
     */
    WriteBatch stage(Map<String, Long> nextSeqs);
  }

  /**
   * Like {@link #append(WriteBatch)}, for engines shared by several writers (several Vellum nodes
   * on one database): the engine locks the heads of {@code tenants} inside the commit transaction,
   * reads them, asks {@code stager} for the batch, and writes it in the same transaction, holding
   * each tenant's lock until the commit. So a writer computes seqs and Merkle tiles against the
   * tenant's true head, and two writers of one tenant commit one after the other instead of one of
   * them being fenced off. Every tenant of the batch's events MUST be in {@code tenants}. The
   * default, for engines with one writer, locks nothing and passes an empty map.
   */
  default long append(Set<String> tenants, Stager stager) {
    return append(stager.stage(Map.of()));
  }

  Optional<StoredEvent> findById(String tenant, String id);

  /**
   * Stored events of {@code tenant} whose seq is among {@code seqs}, keyed by seq; seqs it does not
   * have are absent. The search index reads its result pages through this.
   */
  Map<Long, StoredEvent> findBySeqs(String tenant, Collection<Long> seqs);

  /**
   * Stored events of {@code tenant} whose feed position is among {@code positions}, keyed by
   * position; positions it does not have, or that hold another tenant's event, are absent. The
   * search index reads its result pages through this: a position is the row's own key, one lookup
   * where a seq needs a second index first.
   */
  Map<Long, StoredEvent> findByPositions(String tenant, Collection<Long> positions);

  /** Events of {@code tenant} with {@code fromSeq <= seq < toSeq}, in seq order. */
  List<StoredEvent> range(String tenant, long fromSeq, long toSeq);

  /**
   * Committed events with feed position greater than {@code position}, in order, at most {@code
   * limit}.
   */
  List<FeedEvent> after(long position, int limit);

  /** The largest committed feed position, 0 if there is none. */
  long lastPosition();

  /** The feed position of {@code tenant}'s last committed event, 0 if it has none. */
  long lastPosition(String tenant);

  /** The durable position of the named feed consumer, 0 if it has never saved one. */
  long consumerPosition(String consumer);

  /** The named consumer's dead letters, oldest first, at most {@code limit}. */
  List<DeadLetter> deadLetters(String consumer, int limit);

  /** The stored contents of one hash tile, or null if it does not exist. */
  byte @Nullable [] readTile(String tenant, int level, long index);

  /** The checkpoint with the largest tree size, if any was signed. */
  Optional<StoredCheckpoint> latestCheckpoint(String tenant);

  /** The checkpoint for exactly {@code treeSize}, if one was signed. */
  Optional<StoredCheckpoint> checkpoint(String tenant, long treeSize);

  /** Checkpoints with tree size ≥ {@code sinceSize}, ascending, at most {@code limit}. */
  List<StoredCheckpoint> checkpoints(String tenant, long sinceSize, int limit);

  /**
   * Deletes {@code tenant}'s events with {@code fromSeq <= seq < toSeq} in one durable transaction
   * and returns how many there were (seqs already deleted are skipped). The tenant's next seq,
   * every feed position and the Merkle log stay as they were (rule 6), and each deleted event's id
   * is kept with its seq for {@link #deletedSeq}. Callers bound the range (the retention job
   * deletes at most a few thousand seqs per call); a deleted range can later be re-inserted with
   * the same seqs by {@link #restore}. Restored events in the range are deleted like any other.
   *
   * @throws IllegalArgumentException if {@code fromSeq < 0}, {@code toSeq < fromSeq} or {@code
   *     toSeq} is beyond {@link #nextSeq} (a seq not written yet cannot be deleted)
   */
  long deleteRange(String tenant, long fromSeq, long toSeq);

  /** The seq of {@code tenant}'s event {@code id} if {@link #deleteRange} deleted it. */
  java.util.OptionalLong deletedSeq(String tenant, String id);

  /**
   * Puts back, in one durable transaction, events of {@code tenant} that {@link #deleteRange}
   * removed (rule 7), marked restored until {@code restoredUntilMicros}, and returns the feed
   * position of the first (the others follow consecutively, in list order), or the last committed
   * position if {@code events} is empty. Each event MUST carry its original seq, id, leaf hash,
   * body and times (the caller checks them against the archive and the Merkle log); the store
   * checks that every seq was deleted with that id, that neither the seq nor the id is present now,
   * and that the list names each at most once. {@link #nextSeq} and the log do not change.
   *
   * @throws IllegalArgumentException naming the first offending seq, with nothing written, if an
   *     event is of another tenant, was never deleted (or under another id), or is present
   */
  long restore(String tenant, List<NewEvent> events, long restoredUntilMicros);

  /**
   * Restored events of {@code tenant} whose restore ends at or before {@code untilMicros}, in seq
   * order, at most {@code limit}: the ones hot retention removes again.
   */
  List<StoredEvent> restoredExpiring(String tenant, long untilMicros, int limit);

  /**
   * Retention by dropping whole time partitions, if the engine stores events in them (see {@link
   * PartitionRetention} for the contract); empty when it does not (SQLite: delete rows instead).
   */
  default java.util.Optional<PartitionRetention> partitionRetention() {
    return java.util.Optional.empty();
  }

  @Override
  void close();
}
