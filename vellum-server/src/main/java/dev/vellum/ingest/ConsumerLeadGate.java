package dev.vellum.ingest;

import dev.vellum.feed.ConsumerRunner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Holds an ingest request, before it is queued for commit, while a watched feed consumer on this
 * node (the search index, the rules engine) is more than {@code maxLeadEvents} behind the feed, for
 * at most {@code maxWait} in all. Without it a saturated node commits faster than it indexes and
 * evaluates: a search finds an acknowledged event, and an alert fires, only tens of seconds later.
 * With it, clients are slowed to the rate those consumers keep up with.
 *
 * <p>The wait is bounded and nothing is refused: a stalled consumer delays each request by at most
 * {@code maxWait}, never stops ingest. A consumer that is not running (retrying a failure, stopped,
 * or standing by while another node holds its role) is not waited for: its lag is not load that
 * slowing clients would cure. Events the server records itself never wait.
 */
public final class ConsumerLeadGate {
  private final LongSupplier head;
  private final List<ConsumerRunner> watched = new CopyOnWriteArrayList<>();
  private final long maxLeadEvents;
  private final Duration maxWait;
  private final Timer waits;
  private final Counter timeouts;

  public ConsumerLeadGate(
      LongSupplier head, long maxLeadEvents, Duration maxWait, MeterRegistry metrics) {
    this.head = head;
    this.maxLeadEvents = maxLeadEvents;
    this.maxWait = maxWait;
    this.waits =
        Timer.builder("vellum.ingest.lead.wait")
            .description("time ingest requests waited for watched feed consumers to catch up")
            .register(metrics);
    this.timeouts =
        Counter.builder("vellum.ingest.lead.wait.timeouts")
            .description("ingest requests that went on after waiting the longest for a consumer")
            .register(metrics);
  }

  /** Adds a consumer that ingest must not run far ahead of. */
  public void watch(ConsumerRunner consumer) {
    watched.add(consumer);
  }

  /** Returns once every watched consumer is within the lead, or after the longest wait. */
  void awaitRoom() {
    if (maxLeadEvents <= 0 || maxWait.isZero()) {
      return;
    }
    long target = head.getAsLong() - maxLeadEvents;
    long started = System.nanoTime();
    long deadline = started + maxWait.toNanos();
    boolean waited = false;
    try {
      for (ConsumerRunner c : watched) {
        if (c.handledPosition() >= target || c.state() != ConsumerRunner.State.RUNNING) {
          continue;
        }
        waited = true;
        long left = deadline - System.nanoTime();
        if (left <= 0 || !c.awaitHandled(target, Duration.ofNanos(left))) {
          timeouts.increment();
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the request goes on; its thread is being stopped
    } finally {
      if (waited) {
        waits.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      }
    }
  }
}
