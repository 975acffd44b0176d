package dev.vellum.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A bounded in-memory outbox. Space is held from {@link #offer} until {@link #settled}, not just
 * while an event is queued, so the bound also covers events in flight and waiting for a retry: a
 * server that is down makes {@code record} wait (and then fail) instead of filling the heap.
 */
final class MemoryOutbox implements Outbox {
  private final ArrayBlockingQueue<Entry> queue;
  private final java.util.concurrent.Semaphore space;
  private final AtomicLong pending = new AtomicLong();
  private volatile boolean hurry;
  private volatile boolean shutdown;

  MemoryOutbox(int capacity) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.space = new java.util.concurrent.Semaphore(capacity);
  }

  @Override
  public boolean offer(Entry e, long timeoutNanos) throws InterruptedException {
    if (shutdown || !space.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
      return false;
    }
    pending.incrementAndGet();
    queue.add(e); // cannot fail: the semaphore has the queue's capacity
    return true;
  }

  /** An entry taken from the queue that did not fit the last batch; only the sender uses it. */
  private @Nullable Entry carry;

  @Override
  public List<Entry> take(int maxCount, long maxBytes, long lingerNanos)
      throws InterruptedException {
    List<Entry> batch = new ArrayList<>();
    Entry first = carry;
    carry = null;
    while (first == null) {
      first = queue.poll(50, TimeUnit.MILLISECONDS);
      if (first == null && shutdown && queue.isEmpty()) {
        return batch;
      }
    }
    batch.add(first);
    long bytes = first.json.length + 2L;
    long deadline = System.nanoTime() + lingerNanos;
    while (batch.size() < maxCount) {
      Entry next = queue.poll();
      if (next == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || hurry || shutdown) {
          break;
        }
        next = queue.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(5)), TimeUnit.NANOSECONDS);
        if (next == null) {
          continue;
        }
      }
      if (bytes + next.json.length + 1 > maxBytes) {
        carry = next; // leads the next batch
        break;
      }
      batch.add(next);
      bytes += next.json.length + 1;
    }
    return batch;
  }

  @Override
  public void settled(Entry e) {
    pending.decrementAndGet();
    space.release();
  }

  @Override
  public long pending() {
    return pending.get();
  }

  @Override
  public void hurry(boolean on) {
    hurry = on;
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Entry> drainUnsent() {
    List<Entry> rest = new ArrayList<>();
    if (carry != null) {
      rest.add(carry);
      carry = null;
    }
    queue.drainTo(rest);
    return rest;
  }

  @Override
  public void close() {
    shutdown = true;
  }
}
