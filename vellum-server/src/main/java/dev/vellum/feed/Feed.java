package dev.vellum.feed;

import dev.vellum.store.EventStore;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The committed-event feed as seen by the running node: the writer announces each durable batch
 * here, and every registered consumer runner is handed it in memory. It also knows each tenant's
 * last committed position, so a reader waits only for its own tenant's writes.
 */
public final class Feed {
  private final EventStore store;
  private final Predicate<NewEvent> awaited;
  private final List<ConsumerRunner> runners = new CopyOnWriteArrayList<>();
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

  /**
   * Each tenant's last position that readers wait for (all writes but the server's records of
   * reads: see the predicate given at construction). One entry per tenant that wrote or read since
   * start; tenants are created by admins only.
   */
  private final Map<String, Long> tenantPositions = new ConcurrentHashMap<>();

  private volatile long lastPosition;

  /** Set once other nodes write to the same store (see {@link #followStore}). */
  private volatile boolean otherWriters;

  /**
   * {@code awaited} tells the writes readers wait for from those they do not (records of reads).
   */
  public Feed(EventStore store, Predicate<NewEvent> awaited) {
    this.store = store;
    this.awaited = awaited;
    this.lastPosition = store.lastPosition();
  }

  /**
   * Called by the writer after each durable commit with the batch's events in position order; never
   * from inside the store's error handling, so nothing here can fail a commit.
   */
  public void published(List<FeedEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    for (FeedEvent e : events) {
      if (awaited.test(e.event())) {
        tenantPositions.merge(e.event().tenant(), e.position(), Math::max);
      }
    }
    observed(events.get(events.size() - 1).position());
    for (ConsumerRunner r : runners) {
      r.offer(events);
    }
    for (Subscription s : subscriptions) {
      s.offer(events);
    }
  }

  /**
   * For a store that other nodes write too: every {@code interval}, raises this node's idea of the
   * last committed position to the store's, so the consumer runners read the other nodes' events
   * from the store (they are never handed over in memory here). Close the result to stop.
   */
  public AutoCloseable followStore(java.time.Duration interval) {
    otherWriters = true;
    java.util.concurrent.ScheduledExecutorService timer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vellum-feed-follow-store");
              t.setDaemon(true);
              return t;
            });
    java.util.concurrent.Future<?> unused =
        timer.scheduleWithFixedDelay(
            () -> {
              try {
                long stored = store.lastPosition();
                if (stored > lastPosition) {
                  observed(stored);
                }
              } catch (RuntimeException e) {
                // the store is unreachable for now: the next round tries again
              }
            },
            interval.toMillis(),
            interval.toMillis(),
            java.util.concurrent.TimeUnit.MILLISECONDS);
    return timer::shutdownNow;
  }

  private synchronized void observed(long position) {
    lastPosition = Math.max(lastPosition, position);
  }

  /**
   * Subscribes to one tenant's events as they are committed, for live readers such as the viewer's
   * tail. Nothing is durable: the subscriber resumes from the store with {@link EventStore#after}
   * for anything it missed. At most {@code capacity} events wait in its queue; when a batch does
   * not fit, the subscription is marked overflowed and gets nothing more, so a slow reader never
   * slows the writer. Close it when done.
   */
  public Subscription subscribe(String tenant, int capacity) {
    Subscription s = new Subscription(this, tenant, capacity);
    subscriptions.add(s);
    return s;
  }

  /** Number of open subscriptions (for tests and metrics). */
  public int subscriptionCount() {
    return subscriptions.size();
  }

  /** The largest committed position this node knows of. */
  public long lastPosition() {
    return lastPosition;
  }

  /**
   * The position of {@code tenant}'s last committed client event (on first use after a start, of
   * its last event of any kind), 0 if it has none.
   */
  public long lastPosition(String tenant) {
    if (otherWriters) {
      return storedPosition(tenant);
    }
    return tenantPositions.computeIfAbsent(tenant, store::lastPosition);
  }

  /**
   * With other writers this node learns of their commits only every follow interval, so a reader
   * who wrote through another node would miss its own events: ask the store for the tenant's head
   * (one key lookup) and let the consumers read up to it now.
   */
  private long storedPosition(String tenant) {
    long known = tenantPositions.getOrDefault(tenant, 0L);
    try {
      long stored = store.lastPosition(tenant);
      if (stored > lastPosition) {
        observed(stored);
      }
      return Math.max(known, stored);
    } catch (RuntimeException e) {
      return known; // the store is unreachable for now: wait for what this node knows of
    }
  }

  /**
   * A bounded in-memory queue of one tenant's committed events. Filled by the writer's thread in
   * {@link #published} (never blocking it), drained by one reader.
   */
  public static final class Subscription implements AutoCloseable {
    private final Feed feed;
    private final String tenant;
    private final java.util.concurrent.BlockingQueue<FeedEvent> queue;
    private volatile boolean overflowed;

    private Subscription(Feed feed, String tenant, int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be positive, got " + capacity);
      }
      this.feed = feed;
      this.tenant = tenant;
      this.queue = new java.util.concurrent.ArrayBlockingQueue<>(capacity);
    }

    private void offer(List<FeedEvent> events) {
      if (overflowed) {
        return;
      }
      for (FeedEvent e : events) {
        if (tenant.equals(e.event().tenant()) && !queue.offer(e)) {
          // the reader is behind: stop handing it events; it must resume from the store
          overflowed = true;
          return;
        }
      }
    }

    /**
     * The next event, waiting at most {@code timeoutMillis}; null on timeout. Events come in
     * position order; after {@link #overflowed()} turns true, the queue holds only a prefix.
     */
    public FeedEvent poll(long timeoutMillis) throws InterruptedException {
      return queue.poll(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Whether events were dropped because the queue was full. */
    public boolean overflowed() {
      return overflowed;
    }

    @Override
    public void close() {
      feed.subscriptions.remove(this);
    }
  }

  void register(ConsumerRunner runner) {
    runners.add(runner);
  }

  void unregister(ConsumerRunner runner) {
    runners.remove(runner);
  }

  EventStore store() {
    return store;
  }
}
