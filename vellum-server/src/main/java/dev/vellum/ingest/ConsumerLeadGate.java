package dev.vellum.ingest;

import dev.vellum.feed.ConsumerRunner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

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
 *
 * <p>The lead is counted from where the feed will be once everything admitted commits: the last
 * committed position plus the events queued for commit, with requests admitted one at a time.
 * Counted from the committed position alone, the eight clients' batches one catch-up released were
 * all queued together, and the index ran 2,500 events behind instead of 1,500 (docs/benchmarks.md,
 * round 7: ack-to-searchable p99 1.5 s before, 1.0 s after, and more events/s).
 */
public final class ConsumerLeadGate {
  private final LongSupplier committed;
  private final IntSupplier queued;
  private final List<ConsumerRunner> watched = new CopyOnWriteArrayList<>();
  private final long maxLeadEvents;
  private final Duration maxWait;
  private final Timer waits;
  private final Counter timeouts;
  private final ReentrantLock admission = new ReentrantLock(true);

  public ConsumerLeadGate(
      LongSupplier committed,
      IntSupplier queued,
      long maxLeadEvents,
      Duration maxWait,
      MeterRegistry metrics) {
    this.committed = committed;
    this.queued = queued;
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

  /**
   * Submits {@code submit} (queues a request's events for commit) once every watched consumer is
   * within the lead, or after the longest wait. Requests are admitted one at a time, each counting
   * the events queued before it: several requests released by the same catch-up would otherwise all
   * see room and queue their events together. A request that cannot get its turn within the longest
   * wait goes on without it, so a stalled consumer still delays each request by at most {@code
   * maxWait}.
   */
  <T> T admit(Supplier<T> submit) {
    if (maxLeadEvents <= 0 || maxWait.isZero()) {
      return submit.get();
    }
    long started = System.nanoTime();
    boolean turn = admission.tryLock();
    boolean waited = !turn;
    try {
      if (!turn) {
        turn = admission.tryLock(maxWait.toNanos(), TimeUnit.NANOSECONDS);
      }
      if (turn) {
        waited |= awaitRoom(started + maxWait.toNanos());
      } else {
        timeouts.increment();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the request goes on; its thread is being stopped
    }
    if (waited) {
      waits.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
    try {
      return submit.get();
    } finally {
      if (turn) {
        admission.unlock();
      }
    }
  }

  /** Waits until every watched consumer is within the lead, or the deadline; whether it waited. */
  private boolean awaitRoom(long deadline) throws InterruptedException {
    long target = committed.getAsLong() + queued.getAsInt() - maxLeadEvents;
    boolean waited = false;
    for (ConsumerRunner c : watched) {
      if (c.handledPosition() >= target || c.state() != ConsumerRunner.State.RUNNING) {
        continue;
      }
      waited = true;
      long left = deadline - System.nanoTime();
      if (left <= 0 || !c.awaitHandled(target, Duration.ofNanos(left))) {
        timeouts.increment();
        return true;
      }
    }
    return waited;
  }
}
