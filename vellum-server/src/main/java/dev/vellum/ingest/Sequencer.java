package dev.vellum.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.json.CanonicalJson;
import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.feed.Feed;
import dev.vellum.feed.FeedWrites;
import dev.vellum.store.DeadLetter;
import dev.vellum.store.EventStore;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.StoredCheckpoint;
import dev.vellum.store.StoredEvent;
import dev.vellum.store.TileWrite;
import dev.vellum.store.WriteBatch;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer. Requests put their prepared events on a queue; one thread drains everything
 * queued (up to a batch limit), assigns each tenant's next contiguous {@code seq}s, computes leaf
 * hashes, stages the Merkle tiles, and writes all of it in one transaction (group commit). Only
 * after that commit returns are the requests' futures completed, so an acknowledgement always means
 * the event is durable. Checkpoints, feed consumers' positions and dead letters are written in the
 * same transactions: nothing else writes the event store.
 *
 * <p>Events the server records about reads ({@link #submitBackground}) wait in a queue of their
 * own, outside the ingest capacity, and every commit takes some of them first: a read never waits
 * for a commit, and its record is durable within one commit cycle.
 *
 * <p>Failure is loud: an unexpected {@link Throwable} stops the writer, fails every waiting and
 * later request with {@link WriterFailedException} and turns the node not-ready. Requests whose
 * batch may have committed get {@link CommitOutcomeUnknownException}, never "not stored".
 *
 * <p>Leaf hash: SHA-256(0x00 ‖ RFC 8785 canonical JSON of the stored event without {@code
 * leaf_hash}), i.e. the RFC 6962 leaf hash of the stored body. The stored body carries {@code
 * leaf_version} so a later change of what leaves commit to can coexist with old proofs.
 */
public final class Sequencer implements FeedWrites, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sequencer.class);
  public static final int LEAF_VERSION = 1;

  /** Read records waiting for a commit; beyond this a read is answered 503. */
  static final int MAX_BACKGROUND_EVENTS = 20_000;

  /** Read records taken into one commit, ahead of the ingest batch. */
  private static final int BACKGROUND_PER_COMMIT = 1_000;

  /** Position saves, checkpoints and dead letters waiting: a few per consumer at most. */
  private static final int MAX_CONTROL_WRITES = 10_000;

  private static final String LEAF_VERSION_MEMBER =
      CanonicalJson.member("leaf_version", JsonNodeFactory.instance.numberNode(LEAF_VERSION));

  /** Queued work: events of one request, or a control write (events empty). */
  private record Submission(
      List<PreparedEvent> events,
      @Nullable WriteBatch control,
      CompletableFuture<List<Receipt>> done) {}

  private final EventStore store;
  private final LogWriter log;
  private final Feed feed;
  private final ObjectMapper json;
  private final Clock clock;
  private final int maxBatchEvents;
  private final int capacityEvents;
  private final LinkedBlockingQueue<Submission> queue = new LinkedBlockingQueue<>();
  private final ConcurrentLinkedQueue<PreparedEvent> background = new ConcurrentLinkedQueue<>();
  private final AtomicInteger backgroundEvents = new AtomicInteger();
  private final AtomicInteger pendingEvents = new AtomicInteger();
  private final AtomicInteger pendingControl = new AtomicInteger();
  private final Map<String, Long> nextSeq = new HashMap<>();
  private final Object admission = new Object();
  private final Thread thread;
  private final Timer commitTimer;
  private final DistributionSummary batchSizes;
  private boolean accepting = true;
  private volatile boolean running = true;
  private volatile @Nullable Throwable failure;

  public Sequencer(
      EventStore store,
      LogWriter log,
      Feed feed,
      ObjectMapper json,
      Clock clock,
      int maxBatchEvents,
      int capacityEvents,
      MeterRegistry metrics) {
    this.store = store;
    this.log = log;
    this.feed = feed;
    this.json = json;
    this.clock = clock;
    this.maxBatchEvents = maxBatchEvents;
    this.capacityEvents = capacityEvents;
    this.commitTimer =
        Timer.builder("vellum.sequencer.commit")
            .publishPercentileHistogram()
            .description("time to write and durably commit one batch")
            .register(metrics);
    this.batchSizes =
        DistributionSummary.builder("vellum.sequencer.batch.events")
            .publishPercentileHistogram()
            .description("events per committed batch")
            .register(metrics);
    metrics.gauge("vellum.sequencer.queue.events", pendingEvents);
    metrics.gauge("vellum.sequencer.background.events", backgroundEvents);
    this.thread = new Thread(this::run, "vellum-sequencer");
    this.thread.start();
  }

  /**
   * Queues events for sequencing. The future completes with one receipt per event, in order, once
   * they are durably committed, or fails with the store's exception.
   *
   * @throws OverloadedException when the queue is full or the sequencer is shutting down
   * @throws WriterFailedException when the writer has stopped
   */
  /**
   * Events waiting in the queue for the writer (the gauge {@code vellum_sequencer_queue_events}).
   */
  public int queuedEvents() {
    return pendingEvents.get();
  }

  public CompletableFuture<List<Receipt>> submit(List<PreparedEvent> events) {
    CompletableFuture<List<Receipt>> done = new CompletableFuture<>();
    synchronized (admission) {
      checkAccepting();
      if (pendingEvents.addAndGet(events.size()) > capacityEvents) {
        pendingEvents.addAndGet(-events.size());
        throw new OverloadedException("ingest queue is full (" + capacityEvents + " events)");
      }
      queue.add(new Submission(List.copyOf(events), null, done));
    }
    return done;
  }

  /**
   * Queues an event the server records itself (a read's access record) without anyone waiting for
   * it; it is committed with the next batch.
   *
   * @throws OverloadedException when too many are waiting already
   */
  public void submitBackground(PreparedEvent event) {
    synchronized (admission) {
      checkAccepting();
      if (backgroundEvents.incrementAndGet() > MAX_BACKGROUND_EVENTS) {
        backgroundEvents.decrementAndGet();
        throw new OverloadedException("too many access records are waiting to be written");
      }
      background.add(event);
    }
  }

  public CompletableFuture<Void> saveCheckpoint(String tenant, StoredCheckpoint checkpoint) {
    return control(
        new WriteBatch(
            List.of(),
            List.of(),
            List.of(new WriteBatch.TenantCheckpoint(tenant, checkpoint)),
            Map.of(),
            List.of()));
  }

  @Override
  public CompletableFuture<Void> savePosition(String consumer, long position) {
    return control(
        new WriteBatch(List.of(), List.of(), List.of(), Map.of(consumer, position), List.of()));
  }

  @Override
  public CompletableFuture<Void> deadLetter(DeadLetter letter) {
    return control(new WriteBatch(List.of(), List.of(), List.of(), Map.of(), List.of(letter)));
  }

  /** Completes once everything queued before it is committed. */
  public CompletableFuture<Void> flush() {
    return control(new WriteBatch(List.of(), List.of(), List.of(), Map.of(), List.of()));
  }

  private CompletableFuture<Void> control(WriteBatch write) {
    CompletableFuture<List<Receipt>> done = new CompletableFuture<>();
    synchronized (admission) {
      if (failure != null || !running) {
        return CompletableFuture.failedFuture(stoppedException());
      }
      if (pendingControl.incrementAndGet() > MAX_CONTROL_WRITES) {
        pendingControl.decrementAndGet();
        return CompletableFuture.failedFuture(
            new OverloadedException("too many store writes waiting"));
      }
      queue.add(new Submission(List.of(), write, done));
    }
    return done.thenApply(r -> null);
  }

  private void checkAccepting() {
    if (failure != null) {
      throw stoppedException();
    }
    if (!accepting) {
      throw new OverloadedException("the server is shutting down");
    }
  }

  private RuntimeException stoppedException() {
    Throwable f = failure;
    return f != null
        ? new WriterFailedException(
            "the writer has stopped after a failure ("
                + f.getClass().getSimpleName()
                + "); nothing from this request was stored",
            f)
        : new OverloadedException("the server is shutting down");
  }

  /** Why the writer cannot take work, if it cannot: for readiness. */
  public java.util.Optional<String> failureReason() {
    Throwable f = failure;
    return f == null
        ? java.util.Optional.empty()
        : java.util.Optional.of("writer stopped: " + f.getClass().getSimpleName());
  }

  private void run() {
    List<Submission> batch = new ArrayList<>();
    try {
      while (running || !queue.isEmpty() || !background.isEmpty()) {
        Submission first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          int events = first.events().size();
          Submission next;
          while (events < maxBatchEvents && (next = queue.poll()) != null) {
            batch.add(next);
            events += next.events().size();
          }
        }
        List<PreparedEvent> records = takeBackground();
        if (!batch.isEmpty() || !records.isEmpty()) {
          process(batch, records);
        }
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(e, batch);
    } catch (Throwable t) {
      fail(t, batch);
    }
  }

  private List<PreparedEvent> takeBackground() {
    List<PreparedEvent> out = new ArrayList<>();
    PreparedEvent e;
    while (out.size() < BACKGROUND_PER_COMMIT && (e = background.poll()) != null) {
      out.add(e);
    }
    backgroundEvents.addAndGet(-out.size());
    return out;
  }

  /**
   * Prepares, commits and completes one batch. A failure before or inside {@code append} means
   * nothing was committed (the store's contract): the requests fail and the writer goes on. A
   * failure after the commit never fails the requests, whose events are durable.
   */
  private void process(List<Submission> batch, List<PreparedEvent> records) {
    long started = System.nanoTime();
    int eventCount = 0;
    int controlCount = 0;
    for (Submission s : batch) {
      eventCount += s.events().size();
      controlCount += s.control() == null ? 0 : 1;
    }
    pendingEvents.addAndGet(-eventCount);
    pendingControl.addAndGet(-controlCount);
    Staged staged;
    long firstPosition;
    try {
      Set<String> tenants = tenantsOf(batch, records);
      if (tenants.isEmpty()) {
        staged = stage(batch, records);
        firstPosition = staged.write().isEmpty() ? 0 : store.append(staged.write());
      } else {
        // staged inside the commit transaction, against the heads the store locked for it: on a
        // store shared by several nodes, another node may have appended to these tenants
        List<Staged> holder = new ArrayList<>(1);
        firstPosition =
            store.append(
                tenants,
                heads -> {
                  followHeads(heads);
                  holder.clear();
                  Staged s = stage(batch, records);
                  holder.add(s);
                  return s.write();
                });
        staged = holder.get(0);
      }
    } catch (RuntimeException e) {
      nextSeq.clear();
      log.aborted();
      requeue(records);
      for (Submission s : batch) {
        s.done().completeExceptionally(e);
      }
      return;
    } catch (Throwable t) {
      // An Error inside append: the transaction may or may not have committed.
      for (Submission s : batch) {
        s.done()
            .completeExceptionally(
                new CommitOutcomeUnknownException(
                    "the writer failed while committing; the events may or may not be stored", t));
      }
      batch.clear();
      throw t;
    }
    Throwable afterCommit = null;
    try {
      log.committed();
      commitTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      batchSizes.record(eventCount + records.size());
    } catch (Throwable t) {
      afterCommit = t;
    }
    // published before the requests complete: a client that searches right after its answer
    // must find its tenant's position already moved, or read-your-writes would not wait for it
    publish(staged.write().events(), firstPosition);
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).done().complete(staged.receipts().get(i));
    }
    if (afterCommit != null) {
      // the events are durable, but the in-memory tree no longer matches the stored one
      if (afterCommit instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("the log could not take the commit", afterCommit);
    }
  }

  private static Set<String> tenantsOf(List<Submission> batch, List<PreparedEvent> records) {
    Set<String> tenants = new HashSet<>();
    for (PreparedEvent e : records) {
      tenants.add(e.tenant());
    }
    for (Submission s : batch) {
      for (PreparedEvent e : s.events()) {
        tenants.add(e.tenant());
      }
    }
    return tenants;
  }

  /**
   * Takes the heads a shared store locked for this commit: a tenant whose count differs from the
   * one kept here was appended to by another node, so its count and its tree are reloaded.
   */
  private void followHeads(Map<String, Long> heads) {
    for (Map.Entry<String, Long> h : heads.entrySet()) {
      Long known = nextSeq.get(h.getKey());
      if (known == null || known.longValue() != h.getValue()) {
        nextSeq.put(h.getKey(), h.getValue());
        log.forget(h.getKey());
      }
    }
  }

  /** Access records of a failed commit go back to wait for the next one. */
  private void requeue(List<PreparedEvent> records) {
    for (PreparedEvent r : records) {
      if (backgroundEvents.incrementAndGet() <= MAX_BACKGROUND_EVENTS) {
        background.add(r);
      } else {
        backgroundEvents.decrementAndGet();
        LOG.error("dropped an access record of tenant {} after a failed commit", r.tenant());
      }
    }
  }

  private void publish(List<NewEvent> events, long firstPosition) {
    if (events.isEmpty()) {
      return;
    }
    List<FeedEvent> feedEvents = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      feedEvents.add(new FeedEvent(firstPosition + i, events.get(i)));
    }
    try {
      feed.published(feedEvents);
    } catch (RuntimeException e) {
      // consumers read what they were not handed from the store
      LOG.warn("handing committed events to feed consumers failed", e);
    }
  }

  /** Stops the writer for good: everything waiting or arriving later fails loudly. */
  private void fail(Throwable t, List<Submission> inHand) {
    LOG.error("the writer stopped; the node is not ready and refuses writes", t);
    synchronized (admission) {
      failure = t;
      accepting = false;
    }
    RuntimeException stopped = stoppedException();
    for (Submission s : inHand) {
      s.done()
          .completeExceptionally(
              new CommitOutcomeUnknownException(
                  "the writer failed; the events may or may not be stored", t));
    }
    Submission s;
    while ((s = queue.poll()) != null) {
      s.done().completeExceptionally(stopped);
    }
  }

  private record Staged(WriteBatch write, List<List<Receipt>> receipts) {}

  private Staged stage(List<Submission> batch, List<PreparedEvent> records) {
    long receivedAt = Times.micros(clock.instant());
    String receivedAtText = Times.formatMicros(receivedAt);
    Map<String, Map<String, StoredEvent>> existing = lookUpExisting(batch, records);
    Map<String, NewEvent> fresh = new HashMap<>();
    Map<String, List<NewEvent>> byTenant = new LinkedHashMap<>();
    for (PreparedEvent e : records) {
      sequence(e, receivedAt, receivedAtText, existing.get(e.tenant()), fresh, byTenant);
    }
    List<List<Receipt>> receipts = new ArrayList<>();
    List<WriteBatch> controls = new ArrayList<>();
    for (Submission s : batch) {
      List<Receipt> out = new ArrayList<>(s.events().size());
      for (PreparedEvent e : s.events()) {
        out.add(sequence(e, receivedAt, receivedAtText, existing.get(e.tenant()), fresh, byTenant));
      }
      receipts.add(out);
      if (s.control() != null) {
        controls.add(s.control());
      }
    }
    List<NewEvent> all = new ArrayList<>();
    List<TileWrite> tiles = new ArrayList<>();
    for (Map.Entry<String, List<NewEvent>> t : byTenant.entrySet()) {
      List<NewEvent> events = t.getValue();
      List<byte[]> leaves = new ArrayList<>(events.size());
      for (NewEvent e : events) {
        leaves.add(e.leafHash());
      }
      tiles.addAll(log.stage(t.getKey(), events.get(0).seq(), leaves));
      all.addAll(events);
    }
    return new Staged(merge(all, tiles, controls), receipts);
  }

  private static WriteBatch merge(
      List<NewEvent> events, List<TileWrite> tiles, List<WriteBatch> controls) {
    List<WriteBatch.TenantCheckpoint> checkpoints = new ArrayList<>();
    Map<String, Long> positions = new HashMap<>();
    List<DeadLetter> letters = new ArrayList<>();
    for (WriteBatch c : controls) {
      checkpoints.addAll(c.checkpoints());
      c.consumerPositions().forEach((k, v) -> positions.merge(k, v, Math::max));
      letters.addAll(c.deadLetters());
    }
    return new WriteBatch(events, tiles, checkpoints, positions, letters);
  }

  private Map<String, Map<String, StoredEvent>> lookUpExisting(
      List<Submission> batch, List<PreparedEvent> records) {
    Map<String, List<String>> ids = new HashMap<>();
    List<PreparedEvent> all = new ArrayList<>(records);
    for (Submission s : batch) {
      all.addAll(s.events());
    }
    for (PreparedEvent e : all) {
      if (e.clientId()) {
        ids.computeIfAbsent(e.tenant(), k -> new ArrayList<>()).add(e.id());
      }
    }
    Map<String, Map<String, StoredEvent>> found = new HashMap<>();
    for (Map.Entry<String, List<String>> t : ids.entrySet()) {
      found.put(t.getKey(), store.findByIds(t.getKey(), t.getValue()));
    }
    return found;
  }

  private Receipt sequence(
      PreparedEvent e,
      long receivedAt,
      String receivedAtText,
      @Nullable Map<String, StoredEvent> stored,
      Map<String, NewEvent> fresh,
      Map<String, List<NewEvent>> byTenant) {
    StoredEvent old = stored == null ? null : stored.get(e.id());
    if (old != null) {
      return repeat(e, old.seq(), old.leafHash(), old.body());
    }
    NewEvent earlier = e.clientId() ? fresh.get(e.tenant() + '\u0000' + e.id()) : null;
    if (earlier != null) {
      return repeat(e, earlier.seq(), earlier.leafHash(), earlier.body());
    }
    long seq = nextSeq.computeIfAbsent(e.tenant(), store::nextSeq);
    // The client's members were rendered canonically on the request thread; only the server's
    // own members are rendered here and merged in name order.
    TreeMap<String, String> server = new TreeMap<>();
    server.put(
        "tenant", CanonicalJson.member("tenant", json.getNodeFactory().textNode(e.tenant())));
    server.put(
        "received_at",
        CanonicalJson.member("received_at", json.getNodeFactory().textNode(receivedAtText)));
    server.put("seq", CanonicalJson.member("seq", json.getNodeFactory().numberNode(seq)));
    server.put("leaf_version", LEAF_VERSION_MEMBER);
    String bodyText = CanonicalJson.mergeMembers(e.canonicalMembers(), server);
    byte[] canonical = bodyText.getBytes(StandardCharsets.UTF_8);
    nextSeq.put(e.tenant(), seq + 1);
    byte[] leaf = Rfc6962.leafHash(canonical);
    NewEvent row =
        new NewEvent(
            e.tenant(),
            seq,
            e.id(),
            e.occurredAtMicros(),
            receivedAt,
            e.type(),
            e.category(),
            e.source(),
            e.outcome(),
            e.severity(),
            e.actorId(),
            e.actorIp(),
            e.sessionId(),
            leaf,
            bodyText);
    if (e.clientId()) {
      fresh.put(e.tenant() + '\u0000' + e.id(), row); // server-assigned ids cannot repeat
    }
    byTenant.computeIfAbsent(e.tenant(), k -> new ArrayList<>()).add(row);
    return new Receipt(e.id(), seq, leaf, Receipt.Status.ACCEPTED);
  }

  /** An id seen before: a duplicate if the content is the same, else a conflict. */
  private Receipt repeat(PreparedEvent e, long seq, byte[] leafHash, String storedBody) {
    return sameContent(e.content(), storedBody)
        ? new Receipt(e.id(), seq, leafHash, Receipt.Status.DUPLICATE)
        : new Receipt(e.id(), null, null, Receipt.Status.CONFLICT);
  }

  /** True when the stored body, without server-added members, equals the submitted content. */
  private boolean sameContent(ObjectNode content, String storedBody) {
    try {
      ObjectNode stored = (ObjectNode) json.readTree(storedBody);
      stored.remove(EventNormalizer.SERVER_MEMBERS);
      return Arrays.equals(CanonicalJson.canonicalize(stored), CanonicalJson.canonicalize(content));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("stored event body is not JSON", e);
    }
  }

  /** Stops accepting, commits everything already queued, then stops the writer thread. */
  @Override
  public void close() {
    synchronized (admission) {
      accepting = false;
      running = false;
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Submission s;
    while (!thread.isAlive() && (s = queue.poll()) != null) {
      s.done().completeExceptionally(new OverloadedException("the server stopped"));
    }
  }
}
