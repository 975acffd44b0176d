package dev.vellum.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Batching limits of the in-memory outbox. */
class MemoryOutboxTest {
  private static Entry event(int bytes) {
    return new Entry("id", new byte[bytes], new CompletableFuture<>(), null);
  }

  @Test
  void take_stopsAtTheEventCount() throws Exception {
    MemoryOutbox o = new MemoryOutbox(100);
    for (int i = 0; i < 25; i++) {
      assertTrue(o.offer(event(10), 0));
    }
    assertEquals(10, o.take(10, 1 << 20, 0).size());
    assertEquals(10, o.take(10, 1 << 20, 0).size());
    assertEquals(5, o.take(10, 1 << 20, 0).size());
  }

  @Test
  void take_stopsBeforeTheByteLimit_andTheNextBatchStartsWithTheEventThatDidNotFit()
      throws Exception {
    MemoryOutbox o = new MemoryOutbox(100);
    for (int i = 0; i < 10; i++) {
      assertTrue(o.offer(event(100), 0));
    }
    // brackets and commas count: 3 events of 100 bytes are 2 + 300 + 2 = 304 bytes
    List<Entry> first = o.take(1000, 350, 0);
    assertEquals(3, first.size());
    assertEquals(3, o.take(1000, 350, 0).size());
    assertEquals(3, o.take(1000, 350, 0).size());
    assertEquals(1, o.take(1000, 350, 0).size());
  }

  @Test
  void take_sendsAnEventLargerThanTheByteLimitAlone() throws Exception {
    MemoryOutbox o = new MemoryOutbox(10);
    o.offer(event(5000), 0);
    o.offer(event(10), 0);
    assertEquals(1, o.take(1000, 1000, 0).size());
    assertEquals(1, o.take(1000, 1000, 0).size());
  }

  @Test
  void offer_failsWhenFull_untilAnEventIsSettled() throws Exception {
    MemoryOutbox o = new MemoryOutbox(2);
    assertTrue(o.offer(event(1), 0));
    assertTrue(o.offer(event(1), 0));
    List<Entry> taken = o.take(10, 1 << 20, 0);
    // taken but not settled (in flight or retrying) still occupies the buffer
    assertFalse(o.offer(event(1), 0));
    o.settled(taken.get(0));
    assertTrue(o.offer(event(1), 0));
    assertEquals(2, o.pending());
  }

  @Test
  void take_afterShutdown_returnsWhatIsLeftThenNothing() throws Exception {
    MemoryOutbox o = new MemoryOutbox(10);
    o.offer(event(1), 0);
    o.shutdown();
    assertFalse(o.offer(event(1), 0));
    assertEquals(1, o.take(10, 1 << 20, 1_000_000_000L).size());
    assertTrue(o.take(10, 1 << 20, 0).isEmpty());
  }
}
