package dev.vellum.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.store.DeadLetter;
import dev.vellum.store.EventStore;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.StoreException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer runner over a real SQLite store: in-order, at-least-once delivery whether batches
 * come from memory or the store, durable positions, bounded retries and dead letters.
 */
class ConsumerRunnerTest {
  private static final FeedSettings FAST =
      new FeedSettings(50, 3, Duration.ofMillis(5), Duration.ofMillis(20), 400_000);

  @TempDir Path dir;
  private SqliteFeedFixture fixture;
  private EventStore store;
  private Feed feed;

  /** Remembers what it was handed; fails as told. */
  private static class Recorder implements FeedConsumer {
    final List<Long> seen = Collections.synchronizedList(new ArrayList<>());

    @Override
    public String name() {
      return "recorder";
    }

    @Override
    public void accept(List<FeedEvent> events) throws Exception {
      for (FeedEvent e : events) {
        seen.add(e.position());
      }
    }
  }

  @BeforeEach
  void open() {
    fixture = new SqliteFeedFixture(dir);
    store = fixture.store;
    feed = fixture.feed;
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  private List<FeedEvent> commit(int count) {
    return fixture.commit(count);
  }

  private ConsumerRunner start(FeedConsumer consumer, FeedSettings settings) {
    return ConsumerRunner.start(
        consumer, feed, fixture.writes, settings, Clock.systemUTC(), new SimpleMeterRegistry());
  }

  private static List<Long> oneTo(long n) {
    List<Long> all = new ArrayList<>();
    for (long p = 1; p <= n; p++) {
      all.add(p);
    }
    return all;
  }

  @Test
  void deliversEveryEventOnceInOrderWhenAllAreHandedOverInMemory() throws Exception {
    assertDeliveredInOrder(1_000_000);
  }

  @Test
  void deliversEveryEventOnceInOrderWhenNoneAreKeptInMemory() throws Exception {
    assertDeliveredInOrder(0);
  }

  @Test
  void deliversEveryEventOnceInOrderWhenSomeBatchesAreDroppedFromMemory() throws Exception {
    assertDeliveredInOrder(10 * (FeedSettings.EVENT_OVERHEAD_BYTES + 12));
  }

  private void assertDeliveredInOrder(long maxWaitingBytes) throws Exception {
    Recorder recorder = new Recorder();
    FeedSettings settings =
        new FeedSettings(50, 3, Duration.ofMillis(5), Duration.ofMillis(20), maxWaitingBytes);
    try (ConsumerRunner runner = start(recorder, settings)) {
      for (int b = 0; b < 40; b++) {
        commit(7);
      }
      assertTrue(runner.awaitHandled(280, Duration.ofSeconds(20)));
      assertEquals(oneTo(280), recorder.seen);
    }
  }

  @Test
  void resumesFromItsDurablePositionAfterAStop() throws Exception {
    Recorder first = new Recorder();
    try (ConsumerRunner runner = start(first, FAST)) {
      commit(30);
      assertTrue(runner.awaitHandled(30, Duration.ofSeconds(20)));
    }
    assertEquals(30, store.consumerPosition("recorder"));
    commit(5);
    Recorder second = new Recorder();
    try (ConsumerRunner runner = start(second, FAST)) {
      assertTrue(runner.awaitHandled(35, Duration.ofSeconds(20)));
      assertEquals(List.of(31L, 32L, 33L, 34L, 35L), second.seen);
    }
  }

  @Test
  void deadLettersAnEventThatKeepsFailingAndGoesOn() throws Exception {
    commit(10);
    AtomicInteger triesOfPoison = new AtomicInteger();
    Recorder poisoned =
        new Recorder() {
          @Override
          public void accept(List<FeedEvent> events) throws Exception {
            for (FeedEvent e : events) {
              if (e.event().seq() == 4) {
                triesOfPoison.incrementAndGet();
                throw new IllegalArgumentException("cannot handle seq 4");
              }
            }
            super.accept(events);
          }
        };
    try (ConsumerRunner runner = start(poisoned, FAST)) {
      assertTrue(runner.awaitHandled(10, Duration.ofSeconds(20)));
      commit(2);
      assertTrue(runner.awaitHandled(12, Duration.ofSeconds(20)));
      List<Long> expected = oneTo(12);
      expected.remove(Long.valueOf(5));
      assertEquals(expected, poisoned.seen.stream().distinct().sorted().toList());
      List<DeadLetter> letters = store.deadLetters("recorder", 10);
      assertEquals(1, letters.size());
      assertEquals(5, letters.get(0).position());
      assertEquals(4, letters.get(0).seq());
      assertTrue(letters.get(0).error().contains("cannot handle seq 4"));
      assertEquals(1, runner.status().deadLetters());
      assertEquals(ConsumerRunner.State.RUNNING, runner.state());
      // a bounded number of tries of the whole batch, then of the event alone
      assertEquals(2 * FAST.maxAttempts(), triesOfPoison.get());
    }
  }

  @Test
  void retriesAnUnavailableStoreWithoutDeadLettering() throws Exception {
    commit(5);
    AtomicInteger failuresLeft = new AtomicInteger(8); // more than maxAttempts
    Recorder flaky =
        new Recorder() {
          @Override
          public void accept(List<FeedEvent> events) throws Exception {
            if (failuresLeft.getAndDecrement() > 0) {
              throw new StoreException("disk full", null, true);
            }
            super.accept(events);
          }
        };
    try (ConsumerRunner runner = start(flaky, FAST)) {
      assertTrue(runner.awaitHandled(5, Duration.ofSeconds(20)));
      assertEquals(oneTo(5), flaky.seen);
      assertEquals(List.of(), store.deadLetters("recorder", 10));
    }
  }

  @Test
  void anErrorStopsTheConsumerAndSaysWhy() throws Exception {
    commit(3);
    Recorder broken =
        new Recorder() {
          @Override
          public void accept(List<FeedEvent> events) {
            throw new OutOfMemoryError("injected");
          }
        };
    try (ConsumerRunner runner = start(broken, FAST)) {
      Consumers consumers = new Consumers();
      consumers.add(runner);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (runner.state() != ConsumerRunner.State.STOPPED && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(ConsumerRunner.State.STOPPED, runner.state());
      assertTrue(consumers.notReadyReason().orElseThrow().contains("injected"));
      assertEquals(0, runner.handledPosition());
    }
  }
}
