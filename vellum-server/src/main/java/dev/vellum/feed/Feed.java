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
 * The committed-event feed as seen by the running node: the writer announces each durable
 * batch here, and every registered consumer runner is handed it in memory. It also knows each
 * tenant's last committed position, so a reader waits only for its own tenant's writes.
 */
public final class Feed {
  private final EventStore store;
  private final Predicate<NewEvent> clientWrite;
  private final List<ConsumerRunner> runners = new CopyOnWriteArrayList<>();
  /**
   * Each tenant's last position written by a client (the server's own records, such as read
   * access, are not waited for by readers). One entry per tenant that wrote or read since start;
   * tenants are created by admins only.
   */
  private final Map<String, Long> tenantPositions = new ConcurrentHashMap<>();
  private volatile long lastPosition;

  /** {@code clientWrite} tells events written by clients from those the server records itself. */
  public Feed(EventStore store, Predicate<NewEvent> clientWrite) {
    this.store = store;
    this.clientWrite = clientWrite;
    this.lastPosition = store.lastPosition();
  }

  /**
   * Called by the writer after each durable commit with the batch's events in position order;
   * never from inside the store's error handling, so nothing here can fail a commit.
   */
  public void published(List<FeedEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    for (FeedEvent e : events) {
      if (clientWrite.test(e.event())) {
        tenantPositions.merge(e.event().tenant(), e.position(), Math::max);
      }
    }
    lastPosition = Math.max(lastPosition, events.get(events.size() - 1).position());
    for (ConsumerRunner r : runners) {
      r.offer(events);
    }
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
    return tenantPositions.computeIfAbsent(tenant, store::lastPosition);
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
