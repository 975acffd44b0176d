package dev.vellum.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.feed.ConsumerRunner;
import dev.vellum.feed.Feed;
import dev.vellum.feed.FeedSettings;
import dev.vellum.feed.FeedWrites;
import dev.vellum.store.DeadLetter;
import dev.vellum.store.EventStore;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.WriteBatch;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteEventStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest held while a watched feed consumer (a real runner, in the index's place) is far behind.
 */
@Timeout(60)
class ConsumerLeadGateTest {
  @TempDir Path dir;
  private EventStore store;
  private Feed feed;
  private ConsumerRunner index;
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final CountDownLatch release = new CountDownLatch(1);

  /** An index that takes nothing until released. */
  private final class StalledIndex implements FeedConsumer {
    @Override
    public String name() {
      return "search-index";
    }

    @Override
    public void accept(List<FeedEvent> events) throws InterruptedException {
      release.await();
    }
  }

  /** Writes positions straight into the store, as the sequencer would. */
  private final class StoreWrites implements FeedWrites {
    @Override
    public CompletableFuture<Void> savePosition(String consumer, long position) {
      store.append(
          new WriteBatch(List.of(), List.of(), List.of(), Map.of(consumer, position), List.of()));
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> deadLetter(DeadLetter letter) {
      return CompletableFuture.completedFuture(null);
    }
  }

  @BeforeEach
  void open() {
    store = new SqliteEventStore(SqliteDatabase.open(dir));
    feed = new Feed(store, e -> true);
    FeedSettings settings =
        new FeedSettings(50, 3, Duration.ofMillis(5), Duration.ofMillis(20), 1 << 20);
    index =
        ConsumerRunner.start(
            new StalledIndex(), feed, new StoreWrites(), settings, Clock.systemUTC(), metrics);
    commit(20);
  }

  @AfterEach
  void close() {
    release.countDown();
    index.close();
    store.close();
  }

  private void commit(int count) {
    List<NewEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long seq = i;
      events.add(
          new NewEvent(
              "t1",
              seq,
              UUID.randomUUID().toString(),
              seq,
              seq,
              "USER_LOGIN",
              "authentication",
              "APP",
              "success",
              "info",
              "actor",
              null,
              null,
              new byte[32],
              "{}"));
    }
    long first = store.append(WriteBatch.ofEvents(events, List.of()));
    List<FeedEvent> out = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      out.add(new FeedEvent(first + i, events.get(i)));
    }
    feed.published(out);
  }

  private ConsumerLeadGate gate(long maxLead, Duration maxWait) {
    ConsumerLeadGate gate = new ConsumerLeadGate(feed::lastPosition, maxLead, maxWait, metrics);
    gate.watch(index);
    return gate;
  }

  private double timeouts() {
    return metrics.counter("vellum.ingest.lead.wait.timeouts").count();
  }

  private long waits() {
    return metrics.timer("vellum.ingest.lead.wait").count();
  }

  @Test
  void goesOnAfterTheLongestWaitWhenTheIndexStaysTooFarBehind() {
    gate(5, Duration.ofMillis(200)).awaitRoom();
    assertEquals(1, waits());
    assertEquals(1.0, timeouts());
  }

  @Test
  void goesOnAsSoonAsTheIndexIsWithinTheLead() throws Exception {
    Thread request = new Thread(gate(5, Duration.ofSeconds(50))::awaitRoom);
    request.start();
    while (request.getState() != Thread.State.TIMED_WAITING && request.isAlive()) {
      TimeUnit.MILLISECONDS.sleep(10); // until the gate holds it
    }
    assertTrue(request.isAlive(), "the request waits while the index is 20 events behind");
    release.countDown();
    request.join(TimeUnit.SECONDS.toMillis(30));
    assertTrue(!request.isAlive(), "the request went on once the index caught up");
    assertEquals(1, waits());
    assertEquals(0.0, timeouts());
  }

  @Test
  void doesNotWaitForAConsumerRetryingAFailure() throws Exception {
    FeedConsumer failing =
        new FeedConsumer() {
          @Override
          public String name() {
            return "rules";
          }

          @Override
          public void accept(List<FeedEvent> events) throws java.io.IOException {
            throw new java.io.IOException("the rule store is unreachable");
          }
        };
    FeedSettings settings =
        new FeedSettings(50, 1_000, Duration.ofMillis(5), Duration.ofMillis(20), 1 << 20);
    try (ConsumerRunner rules =
        ConsumerRunner.start(
            failing, feed, new StoreWrites(), settings, Clock.systemUTC(), metrics)) {
      while (rules.state() != ConsumerRunner.State.RETRYING) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
      ConsumerLeadGate gate =
          new ConsumerLeadGate(feed::lastPosition, 5, Duration.ofSeconds(50), metrics);
      gate.watch(rules);
      gate.awaitRoom();
      assertEquals(0, waits());
    }
  }

  @Test
  void neverWaitsWithinTheLeadOrWhenTurnedOff() {
    gate(20, Duration.ofSeconds(50)).awaitRoom();
    gate(0, Duration.ofSeconds(50)).awaitRoom();
    assertEquals(0, waits());
  }
}
