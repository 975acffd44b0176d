package dev.vellum.client;

import java.util.List;

/**
 * Where recorded events wait for the sender: memory only ({@link MemoryOutbox}) or the fsynced
 * spool ({@link Spool}). Every entry handed out by {@link #take} MUST be given back through {@link
 * #settled} once its outcome is final, so the outbox can release its space.
 */
interface Outbox extends AutoCloseable {
  /**
   * Accepts an event, waiting at most {@code timeoutNanos} for space.
   *
   * @return false if there was no space in time
   */
  boolean offer(Entry e, long timeoutNanos) throws InterruptedException;

  /**
   * Waits until at least one event is available, then gathers more until {@code maxCount} or {@code
   * maxBytes} is reached or {@code lingerNanos} has passed since the first.
   *
   * @return the batch; empty only once the outbox is closed and nothing is left to hand out
   */
  List<Entry> take(int maxCount, long maxBytes, long lingerNanos) throws InterruptedException;

  /** The entry's outcome is final (delivered, rejected or failed). */
  void settled(Entry e);

  /** Events accepted but not settled. */
  long pending();

  /** Stops lingering in {@link #take} until the outbox is empty: a flush is waiting. */
  void hurry(boolean on);

  /** No more offers; {@link #take} returns what is left and then an empty list. */
  void shutdown();

  /** Events that were never handed out, for failing their futures when the client stops. */
  List<Entry> drainUnsent();

  @Override
  void close();
}
