package dev.vellum.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.store.EventStore;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Feed.subscribe: the in-memory hand-off behind the live tail. */
class FeedSubscriptionTest {
  /** A store that only knows it is empty: subscriptions never read it. */
  private static final EventStore EMPTY =
      (EventStore)
          Proxy.newProxyInstance(
              EventStore.class.getClassLoader(),
              new Class<?>[] {EventStore.class},
              (proxy, method, args) -> {
                if (method.getName().equals("lastPosition")) {
                  return 0L;
                }
                throw new UnsupportedOperationException(method.getName());
              });

  private final Feed feed = new Feed(EMPTY, e -> true);

  private static FeedEvent event(long position, String tenant) {
    return new FeedEvent(
        position,
        new NewEvent(
            tenant,
            position,
            "id-" + position,
            position,
            position,
            "LOGIN_SUCCESSFUL",
            "user_access",
            "DEMO_APP",
            "success",
            "info",
            "alice",
            null,
            null,
            new byte[32],
            "{}"));
  }

  private static List<FeedEvent> batch(long from, long to, String tenant) {
    List<FeedEvent> out = new ArrayList<>();
    for (long p = from; p <= to; p++) {
      out.add(event(p, tenant));
    }
    return out;
  }

  @Test
  void subscription_getsItsTenantsEventsInPositionOrder() throws Exception {
    try (Feed.Subscription s = feed.subscribe("a", 10)) {
      feed.published(List.of(event(1, "a"), event(2, "b"), event(3, "a")));
      assertEquals(1, s.poll(0).position());
      assertEquals(3, s.poll(0).position());
      assertNull(s.poll(0));
      assertFalse(s.overflowed());
    }
  }

  @Test
  void fullQueue_marksTheSubscriptionOverflowed_andTheWriterGoesOn() throws Exception {
    try (Feed.Subscription slow = feed.subscribe("a", 3);
        Feed.Subscription fast = feed.subscribe("a", 100)) {
      feed.published(batch(1, 5, "a"));
      feed.published(batch(6, 8, "a"));
      assertTrue(slow.overflowed());
      assertEquals(1, slow.poll(0).position());
      assertEquals(2, slow.poll(0).position());
      assertEquals(3, slow.poll(0).position());
      assertNull(slow.poll(0), "nothing after the overflow: the reader resumes from the store");
      assertFalse(fast.overflowed());
      for (long p = 1; p <= 8; p++) {
        assertEquals(p, fast.poll(0).position());
      }
      assertEquals(8, feed.lastPosition());
    }
  }

  @Test
  void closedSubscription_isForgotten() {
    Feed.Subscription s = feed.subscribe("a", 1);
    assertEquals(1, feed.subscriptionCount());
    s.close();
    assertEquals(0, feed.subscriptionCount());
    feed.published(batch(1, 3, "a"));
    assertFalse(s.overflowed());
  }
}
