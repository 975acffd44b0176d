package dev.vellum.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.feed.ConsumerRunner;
import dev.vellum.feed.Feed;
import dev.vellum.feed.FeedSettings;
import dev.vellum.feed.SqliteFeedFixture;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.FeedEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
  private SqliteFeedFixture fixture;
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

  @BeforeEach
  void open() {
    fixture = new SqliteFeedFixture(dir);
    feed = fixture.feed;
    FeedSettings settings =
        new FeedSettings(50, 3, Duration.ofMillis(5), Duration.ofMillis(20), 1 << 20);
    index =
        ConsumerRunner.start(
            new StalledIndex(), feed, fixture.writes, settings, Clock.systemUTC(), metrics);
    fixture.commit(20);
  }

  @AfterEach
  void close() {
    release.countDown();
    index.close();
    fixture.close();
  }

  private ConsumerLeadGate gate(long maxLead, Duration maxWait) {
    ConsumerLeadGate gate =
        new ConsumerLeadGate(feed::lastPosition, () -> 0, maxLead, maxWait, metrics);
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
    gate(5, Duration.ofMillis(200)).admit(() -> true);
    assertEquals(1, waits());
    assertEquals(1.0, timeouts());
  }

  @Test
  void goesOnAsSoonAsTheIndexIsWithinTheLead() throws Exception {
    ConsumerLeadGate gate = gate(5, Duration.ofSeconds(50));
    Thread request = new Thread(() -> gate.admit(() -> true));
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
        ConsumerRunner.start(failing, feed, fixture.writes, settings, Clock.systemUTC(), metrics)) {
      while (rules.state() != ConsumerRunner.State.RETRYING) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
      ConsumerLeadGate gate =
          new ConsumerLeadGate(feed::lastPosition, () -> 0, 5, Duration.ofSeconds(50), metrics);
      gate.watch(rules);
      gate.admit(() -> true);
      assertEquals(0, waits());
    }
  }

  @Test
  void countsTheEventsEarlierRequestsQueuedTowardsTheLead() {
    AtomicInteger queued = new AtomicInteger();
    ConsumerLeadGate gate =
        new ConsumerLeadGate(feed::lastPosition, queued::get, 30, Duration.ofMillis(200), metrics);
    gate.watch(index);
    gate.admit(() -> queued.addAndGet(10));
    gate.admit(() -> queued.addAndGet(10));
    assertEquals(0, waits(), "20 committed and 10 queued are within a lead of 30");
    gate.admit(() -> queued.addAndGet(10));
    assertEquals(1, waits(), "20 committed and 20 queued are not");
    assertEquals(1.0, timeouts());
  }

  @Test
  void neverWaitsWithinTheLeadOrWhenTurnedOff() {
    gate(20, Duration.ofSeconds(50)).admit(() -> true);
    gate(0, Duration.ofSeconds(50)).admit(() -> true);
    assertEquals(0, waits());
  }
}
