package dev.vellum.feed;

import dev.vellum.lease.Lease;
import dev.vellum.store.DeadLetter;
import dev.vellum.store.EventStore;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link FeedConsumer} on its own thread: hands it the feed in order from the position it
 * last made durable, advances that position only after the consumer returned (its output is
 * durable), retries failures with backoff, and dead-letters an event that keeps failing, so it
 * neither retries forever nor skips silently.
 *
 * <p>Just-committed batches arrive in memory ({@link #offer}) and are taken from there while they
 * follow on without a gap; otherwise (lagging, after a restart, too many waiting) the runner reads
 * from the store. A failure the store marks as unavailable (disk full, I/O) is not the event's
 * fault: it is retried at the longest backoff without a bound, and shows as retrying.
 *
 * <p>A consumer with a {@linkplain FeedConsumer#clusterRole() cluster role} runs under that role's
 * lease: it delivers only while this node holds the lease and otherwise stands by. On (re)gaining
 * the lease the runner reloads the durable position from the store (another node may have advanced
 * it), asks the consumer where to resume and drops the batches it kept in memory; on losing it, the
 * runner finishes the batch in hand (so it saves no position beyond what it handled) and stands by.
 * Two nodes may both deliver for up to one lease round when the holder loses its database session
 * unnoticed; delivery is at least once, so consumers are idempotent anyway, and stored positions
 * only ever grow.
 */
public final class ConsumerRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerRunner.class);
  private static final long SAVE_TIMEOUT_SECONDS = 30;

  /** What the runner is doing; a stopped consumer makes the node not ready. */
  public enum State {
    RUNNING,
    RETRYING,
    STOPPED,
    /** Waiting for the cluster lease of its role, which another node holds. */
    STANDBY
  }

  private final FeedConsumer consumer;
  private final Feed feed;
  private final EventStore store;
  private final FeedWrites writes;
  private final FeedSettings settings;
  private final Clock clock;
  private final @Nullable Lease lease;
  private final ConcurrentLinkedDeque<List<FeedEvent>> waiting = new ConcurrentLinkedDeque<>();
  private final AtomicLong waitingBytes = new AtomicLong();
  private final Object signal = new Object();
  private final Counter deadLetterCounter;
  private final Thread thread;
  private volatile long handled;
  private volatile long saved;
  private volatile State state = State.RUNNING;
  private volatile @Nullable String lastError;
  private volatile long pendingSinceMicros;
  private volatile boolean running = true;
  private CompletableFuture<Void> saving = CompletableFuture.completedFuture(null);
  private boolean woken;

  private ConsumerRunner(
      FeedConsumer consumer,
      Feed feed,
      FeedWrites writes,
      FeedSettings settings,
      Clock clock,
      MeterRegistry metrics,
      @Nullable Lease lease) {
    this.consumer = consumer;
    this.feed = feed;
    this.store = feed.store();
    this.writes = writes;
    this.settings = settings;
    this.clock = clock;
    this.lease = lease;
    this.saved = store.consumerPosition(consumer.name());
    if (lease == null) {
      this.handled = consumer.resumeFrom(saved);
    } else {
      this.handled = saved; // resumes only once it holds the lease, from the position stored then
      this.state = State.STANDBY;
    }
    this.deadLetterCounter =
        Counter.builder("vellum.feed.consumer.dead.letters")
            .tag("consumer", consumer.name())
            .description("events given up on")
            .register(metrics);
    Gauge.builder("vellum.feed.consumer.lag.events", this, ConsumerRunner::lagEvents)
        .tag("consumer", consumer.name())
        .description("committed events not yet handled")
        .register(metrics);
    Gauge.builder("vellum.feed.consumer.lag.seconds", this, ConsumerRunner::lagSeconds)
        .tag("consumer", consumer.name())
        .description("age of the oldest committed event not yet handled")
        .register(metrics);
    this.thread = new Thread(this::run, "vellum-feed-" + consumer.name());
    this.thread.setDaemon(true);
  }

  /** Starts following the feed from the consumer's durable position. */
  public static ConsumerRunner start(
      FeedConsumer consumer,
      Feed feed,
      FeedWrites writes,
      FeedSettings settings,
      Clock clock,
      MeterRegistry metrics) {
    return start(consumer, feed, writes, settings, clock, metrics, null);
  }

  /**
   * Starts following the feed; with a lease, only while this node holds it (see the class comment),
   * else at once from the consumer's durable position.
   */
  public static ConsumerRunner start(
      FeedConsumer consumer,
      Feed feed,
      FeedWrites writes,
      FeedSettings settings,
      Clock clock,
      MeterRegistry metrics,
      @Nullable Lease lease) {
    ConsumerRunner r = new ConsumerRunner(consumer, feed, writes, settings, clock, metrics, lease);
    feed.register(r);
    r.thread.start();
    return r;
  }

  public String name() {
    return consumer.name();
  }

  /** The writer's hand-off of a just-committed batch; dropped when too many are waiting. */
  void offer(List<FeedEvent> events) {
    if (state == State.STANDBY) {
      return; // read from the store once this node holds the lease
    }
    long bytes = heapBytes(events);
    if (waitingBytes.addAndGet(bytes) <= settings.maxWaitingBytes()) {
      waiting.addLast(events);
    } else {
      waitingBytes.addAndGet(-bytes);
    }
    wake();
  }

  /** The last position whose events the consumer has handled (durably, for its output). */
  public long handledPosition() {
    return handled;
  }

  /** Waits until every event up to {@code position} is handled; false on timeout or stop. */
  public boolean awaitHandled(long position, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (signal) {
      while (handled < position) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || state == State.STOPPED) {
          return false;
        }
        woken = true;
        signal.notifyAll();
        signal.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
    return true;
  }

  public ConsumerStatus status() {
    long dead = (long) deadLetterCounter.count();
    Optional<String> own = consumer.failure();
    boolean failing = own.isPresent() || state == State.RETRYING || state == State.STOPPED;
    String error = own.orElse(lastError);
    return new ConsumerStatus(
        name(), state, handled, lagEvents(), lagSeconds(), dead, error, failing);
  }

  public State state() {
    return state;
  }

  long lagEvents() {
    if (state == State.STANDBY) {
      return 0; // the lease holder's lag counts, not this node's stale position
    }
    return Math.max(0, feed.lastPosition() - handled);
  }

  double lagSeconds() {
    if (lagEvents() == 0 || pendingSinceMicros == 0) {
      return 0;
    }
    long nowMicros = TimeUnit.MILLISECONDS.toMicros(clock.millis());
    return Math.max(0, nowMicros - pendingSinceMicros) / 1e6;
  }

  private void run() {
    try {
      while (running) {
        if (!holdsLease()) {
          awaitWork();
          continue;
        }
        List<FeedEvent> batch = next();
        if (batch.isEmpty()) {
          saveIfBehind();
          awaitWork();
          continue;
        }
        pendingSinceMicros = batch.get(0).event().receivedAtMicros();
        deliver(batch);
      }
      finalSave();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      stop(t);
    }
  }

  /** Whether to deliver now; switches between standby and running as the lease comes and goes. */
  private boolean holdsLease() {
    if (lease == null) {
      return true;
    }
    if (lease.held()) {
      if (state == State.STANDBY) {
        takeOver();
      }
      return true;
    }
    if (state != State.STANDBY && state != State.STOPPED) {
      LOG.info("feed consumer {} stands by: this node no longer holds its lease", name());
      state = State.STANDBY;
      clearWaiting();
    }
    return false;
  }

  /** Continues from the durable position, which the previous holder may have advanced. */
  private void takeOver() {
    clearWaiting();
    long stored = store.consumerPosition(name());
    long from = consumer.resumeFrom(stored);
    synchronized (signal) {
      saved = Math.max(saved, stored);
      handled = from;
      signal.notifyAll();
    }
    state = State.RUNNING;
    LOG.info("feed consumer {} runs on this node from position {}", name(), from);
  }

  private void clearWaiting() {
    waiting.clear();
    waitingBytes.set(0);
  }

  /** Whether to go on retrying or delivering: not stopping, and still holding the lease if any. */
  private boolean active() {
    return running && (lease == null || lease.held());
  }

  // a timed poll inside run()'s loop: a spurious wake-up only makes the loop look for work again
  @SuppressWarnings("WaitNotInLoop")
  private void awaitWork() throws InterruptedException {
    synchronized (signal) {
      if (!woken && running) {
        signal.wait(250);
      }
      woken = false;
    }
  }

  private void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  /**
   * The next events after {@code handled}: from memory while they follow on without a gap, else
   * from the store. Waiting batches the consumer already has are discarded on the way.
   */
  private List<FeedEvent> next() {
    List<FeedEvent> out = new ArrayList<>();
    List<FeedEvent> first;
    while (out.size() < settings.batchSize() && (first = waiting.peekFirst()) != null) {
      long expected = (out.isEmpty() ? handled : out.get(out.size() - 1).position()) + 1;
      if (first.get(first.size() - 1).position() < expected) {
        dropFirst(first);
        continue;
      }
      if (first.get(0).position() > expected) {
        break; // a batch was not handed over (too many waiting): read it from the store
      }
      for (FeedEvent e : first) {
        if (e.position() >= expected) {
          out.add(e);
        }
      }
      dropFirst(first);
    }
    if (out.isEmpty() && handled < feed.lastPosition()) {
      return store.after(handled, settings.batchSize());
    }
    return out;
  }

  private void dropFirst(List<FeedEvent> batch) {
    waiting.pollFirst();
    waitingBytes.addAndGet(-heapBytes(batch));
  }

  private static long heapBytes(List<FeedEvent> events) {
    long bytes = 0;
    for (FeedEvent e : events) {
      bytes += e.event().body().length() + FeedSettings.EVENT_OVERHEAD_BYTES;
    }
    return bytes;
  }

  /** Hands the batch over; on failure retries it, then isolates and dead-letters what fails. */
  private void deliver(List<FeedEvent> batch) throws InterruptedException {
    Exception failure = tryAccept(batch);
    for (int attempt = 1; failure != null && active(); attempt++) {
      if (!isUnavailable(failure) && attempt >= settings.maxAttempts()) {
        deliverOneByOne(batch);
        return;
      }
      retrying(failure, attempt);
      failure = tryAccept(batch);
    }
    if (failure == null) {
      advance(batch.get(batch.size() - 1).position());
    }
  }

  private void deliverOneByOne(List<FeedEvent> batch) throws InterruptedException {
    for (FeedEvent e : batch) {
      if (!active()) {
        return;
      }
      Exception failure = tryAccept(List.of(e));
      int attempt = 1;
      while (failure != null
          && active()
          && (isUnavailable(failure) || attempt < settings.maxAttempts())) {
        retrying(failure, attempt++);
        failure = tryAccept(List.of(e));
      }
      if (failure != null && active()) {
        deadLetter(e, failure, attempt);
      }
      if (failure == null || active()) {
        advance(e.position());
      }
    }
  }

  private @Nullable Exception tryAccept(List<FeedEvent> events) {
    try {
      consumer.accept(events);
      if (state == State.RETRYING) {
        state = State.RUNNING;
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    } catch (Exception e) {
      return e;
    }
  }

  private static boolean isUnavailable(Exception e) {
    return e instanceof StoreException s && s.unavailable();
  }

  private void retrying(Exception failure, int attempt) throws InterruptedException {
    state = State.RETRYING;
    lastError = describe(failure);
    Duration pause = settings.backoff(attempt); // capped: an unavailable store is retried forever
    LOG.warn(
        "feed consumer {} failed after position {} (attempt {}): {}; retrying in {} ms",
        name(),
        handled,
        attempt,
        lastError,
        pause.toMillis());
    long deadline = System.nanoTime() + pause.toNanos();
    synchronized (signal) {
      long left;
      while (active() && (left = deadline - System.nanoTime()) > 0) {
        signal.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /** Records the event as given up on; waits until that is durable before moving past it. */
  private void deadLetter(FeedEvent e, Exception failure, int attempts) {
    String error = describe(failure);
    DeadLetter letter =
        new DeadLetter(
            name(),
            e.position(),
            e.event().tenant(),
            e.event().seq(),
            e.event().id(),
            error,
            attempts,
            TimeUnit.MILLISECONDS.toMicros(clock.millis()));
    LOG.error(
        "feed consumer {} gave up on position {} (tenant {}, seq {}) after {} attempts: {}",
        name(),
        e.position(),
        e.event().tenant(),
        e.event().seq(),
        attempts,
        error,
        failure);
    await(writes.deadLetter(letter), "recording a dead letter");
    deadLetterCounter.increment();
    lastError = error;
  }

  private void advance(long position) {
    synchronized (signal) {
      handled = position;
      signal.notifyAll();
    }
    saveIfBehind();
  }

  /** Saves the handled position unless a save is still on its way; one in flight at a time. */
  private void saveIfBehind() {
    long position = handled;
    if (position > saved && saving.isDone()) {
      saving = writes.savePosition(name(), position).thenRun(() -> saved = position);
    }
  }

  private void finalSave() {
    await(saving, "saving the position");
    if (handled > saved) {
      long position = handled;
      await(writes.savePosition(name(), position), "saving the position");
      saved = position;
    }
  }

  private static void await(CompletableFuture<Void> future, String what) {
    try {
      future.get(SAVE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what, e);
    } catch (Exception e) {
      throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
    }
  }

  private void stop(Throwable t) {
    lastError = describe(t);
    state = State.STOPPED;
    LOG.error("feed consumer {} stopped at position {}", name(), handled, t);
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** Stops after the batch in hand and saves the position reached. */
  @Override
  public void close() {
    running = false;
    feed.unregister(this);
    wake();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(SAVE_TIMEOUT_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
