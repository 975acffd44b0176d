package dev.vellum.store;

import java.util.List;

/**
 * Retention by whole time partitions: an engine that stores events in partitions by receive time
 * (PostgreSQL: one per UTC month of {@code received_at}) drops a partition at once instead of
 * deleting its rows one by one. Optional: {@link EventStore#partitionRetention()} is empty for an
 * engine without partitions (SQLite), whose retention deletes rows.
 *
 * <p>The contract:
 *
 * <ul>
 *   <li>Only a partition every one of whose events was received before the cutoff goes: its upper
 *       bound is at or before the cutoff. A partition that straddles the cutoff, and the catch-all
 *       partition for months without one of their own ({@code events_default}), always stay.
 *   <li>It drops events of <b>every tenant</b> in the partition. The caller decides that they may
 *       go (archived, no legal hold, past each tenant's retention) — this port does not check.
 *   <li>Only events go. Merkle tiles, checkpoints, tenant heads, the feed head, consumer positions
 *       and the directory stay, so seqs and feed positions continue, checkpoints still verify and
 *       inclusion and consistency proofs of any event still check against the tiles; reads of the
 *       dropped events find nothing (by id, range, or the feed), and a dropped id is no longer
 *       recognised as a duplicate.
 *   <li>Dropping is atomic per partition and safe while nodes write: writes never go to a month
 *       that has ended.
 * </ul>
 */
public interface PartitionRetention {
  /**
   * One partition of events: its name, the receive times it covers ({@code [fromMicros, toMicros)},
   * microseconds since the epoch) and how many events it held.
   */
  record Partition(String name, long fromMicros, long toMicros, long events) {}

  /** The partitions {@link #dropBefore} would drop for this cutoff, oldest first; drops nothing. */
  List<Partition> droppableBefore(long cutoffMicros);

  /**
   * Drops every partition whose events were all received before {@code cutoffMicros}, oldest first,
   * and returns them. A cutoff in the future is refused.
   *
   * @throws IllegalArgumentException if {@code cutoffMicros} is after {@code nowMicros}
   */
  List<Partition> dropBefore(long cutoffMicros, long nowMicros);
}
