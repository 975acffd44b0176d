package dev.vellum.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.json.CanonicalJson;
import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.store.EventStore;
import dev.vellum.store.NewEvent;
import dev.vellum.store.StoredEvent;
import dev.vellum.store.TileWrite;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The single writer. Requests put their prepared events on a queue; one thread drains everything
 * queued (up to a batch limit), assigns each tenant's next contiguous {@code seq}s, computes leaf
 * hashes, stages the Merkle tiles, and writes all of it in one transaction (group commit). Only
 * after that commit returns are the requests' futures completed, so an acknowledgement always
 * means the event is durable.
 *
 * <p>Leaf hash: SHA-256(0x00 ‖ RFC 8785 canonical JSON of the stored event without
 * {@code leaf_hash}), i.e. the RFC 6962 leaf hash of the stored body. The stored body carries
 * {@code leaf_version} so a later change of what leaves commit to can coexist with old proofs.
 */
public final class Sequencer implements AutoCloseable {
  public static final int LEAF_VERSION = 1;
  private static final String LEAF_VERSION_MEMBER = CanonicalJson.member("leaf_version",
      com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.numberNode(LEAF_VERSION));

  private record Submission(List<PreparedEvent> events, CompletableFuture<List<Receipt>> done) {}

  private final EventStore store;
  private final LogWriter log;
  private final ObjectMapper json;
  private final Clock clock;
  private final int maxBatchEvents;
  private final int capacityEvents;
  private final LinkedBlockingQueue<Submission> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger pendingEvents = new AtomicInteger();
  private final Map<String, Long> nextSeq = new HashMap<>();
  private final Thread thread;
  private final Timer commitTimer;
  private final DistributionSummary batchSizes;
  private volatile boolean accepting = true;
  private volatile boolean running = true;

  public Sequencer(EventStore store, LogWriter log, ObjectMapper json, Clock clock,
      int maxBatchEvents, int capacityEvents, MeterRegistry metrics) {
    this.store = store;
    this.log = log;
    this.json = json;
    this.clock = clock;
    this.maxBatchEvents = maxBatchEvents;
    this.capacityEvents = capacityEvents;
    this.commitTimer = Timer.builder("vellum.sequencer.commit").publishPercentileHistogram()
        .description("time to write and durably commit one batch").register(metrics);
    this.batchSizes = DistributionSummary.builder("vellum.sequencer.batch.events")
        .publishPercentileHistogram().description("events per committed batch")
        .register(metrics);
    metrics.gauge("vellum.sequencer.queue.events", pendingEvents);
    this.thread = new Thread(this::run, "vellum-sequencer");
    this.thread.start();
  }

  /**
   * Queues events for sequencing. The future completes with one receipt per event, in order,
   * once they are durably committed, or fails with the store's exception.
   *
   * @throws OverloadedException when the queue is full or the sequencer is shutting down
   */
  public CompletableFuture<List<Receipt>> submit(List<PreparedEvent> events) {
    if (!accepting) {
      throw new OverloadedException("the server is shutting down");
    }
    if (pendingEvents.addAndGet(events.size()) > capacityEvents) {
      pendingEvents.addAndGet(-events.size());
      throw new OverloadedException("ingest queue is full (" + capacityEvents + " events)");
    }
    CompletableFuture<List<Receipt>> done = new CompletableFuture<>();
    queue.add(new Submission(List.copyOf(events), done));
    return done;
  }

  private void run() {
    List<Submission> batch = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Submission first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        int events = first.events().size();
        Submission next;
        while (events < maxBatchEvents && (next = queue.poll()) != null) {
          batch.add(next);
          events += next.events().size();
        }
        process(batch, events);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        batch.clear();
      }
    }
  }

  private void process(List<Submission> batch, int eventCount) {
    long started = System.nanoTime();
    try {
      List<List<Receipt>> receipts = writeBatch(batch);
      commitTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      batchSizes.record(eventCount);
      pendingEvents.addAndGet(-eventCount);
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).done().complete(receipts.get(i));
      }
    } catch (RuntimeException e) {
      pendingEvents.addAndGet(-eventCount);
      nextSeq.clear();
      log.aborted();
      for (Submission s : batch) {
        s.done().completeExceptionally(e);
      }
    }
  }

  private List<List<Receipt>> writeBatch(List<Submission> batch) {
    long receivedAt = Times.micros(clock.instant());
    String receivedAtText = Times.formatMicros(receivedAt);
    Map<String, Map<String, StoredEvent>> existing = lookUpExisting(batch);
    Map<String, NewEvent> fresh = new HashMap<>();
    Map<String, List<NewEvent>> byTenant = new LinkedHashMap<>();
    List<List<Receipt>> receipts = new ArrayList<>();
    for (Submission s : batch) {
      List<Receipt> out = new ArrayList<>(s.events().size());
      for (PreparedEvent e : s.events()) {
        out.add(sequence(e, receivedAt, receivedAtText, existing.get(e.tenant()), fresh,
            byTenant));
      }
      receipts.add(out);
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
    if (!all.isEmpty()) {
      store.append(all, tiles);
    }
    log.committed();
    return receipts;
  }

  private Map<String, Map<String, StoredEvent>> lookUpExisting(List<Submission> batch) {
    Map<String, List<String>> ids = new HashMap<>();
    for (Submission s : batch) {
      for (PreparedEvent e : s.events()) {
        if (e.clientId()) {
          ids.computeIfAbsent(e.tenant(), k -> new ArrayList<>()).add(e.id());
        }
      }
    }
    Map<String, Map<String, StoredEvent>> found = new HashMap<>();
    for (Map.Entry<String, List<String>> t : ids.entrySet()) {
      found.put(t.getKey(), store.findByIds(t.getKey(), t.getValue()));
    }
    return found;
  }

  private Receipt sequence(PreparedEvent e, long receivedAt, String receivedAtText,
      Map<String, StoredEvent> stored,
      Map<String, NewEvent> fresh, Map<String, List<NewEvent>> byTenant) {
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
    java.util.TreeMap<String, String> server = new java.util.TreeMap<>();
    server.put("tenant", CanonicalJson.member("tenant", json.getNodeFactory()
        .textNode(e.tenant())));
    server.put("received_at", CanonicalJson.member("received_at", json.getNodeFactory()
        .textNode(receivedAtText)));
    server.put("seq", CanonicalJson.member("seq", json.getNodeFactory().numberNode(seq)));
    server.put("leaf_version", LEAF_VERSION_MEMBER);
    String bodyText = CanonicalJson.mergeMembers(e.canonicalMembers(), server);
    byte[] canonical = bodyText.getBytes(StandardCharsets.UTF_8);
    nextSeq.put(e.tenant(), seq + 1);
    byte[] leaf = Rfc6962.leafHash(canonical);
    NewEvent row = new NewEvent(e.tenant(), seq, e.id(), e.occurredAtMicros(), receivedAt,
        e.type(), e.category(), e.source(), e.outcome(), e.severity(), e.actorId(), e.actorIp(),
        e.sessionId(), leaf, bodyText, e.search());
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
    accepting = false;
    running = false;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
