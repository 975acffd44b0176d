package dev.vellum.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.compat.MappingResult;
import dev.vellum.core.compat.ReferenceMapper;
import dev.vellum.core.merkle.ProofException;
import dev.vellum.core.merkle.ProofVerifier;
import dev.vellum.core.note.Checkpoint;
import dev.vellum.core.note.NoteException;
import dev.vellum.core.note.NoteVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Records audit events in Vellum without blocking the caller and without losing them.
 *
 * <pre>{@code
 * VellumClient vellum = VellumClient.builder().endpoint("http://localhost:8080")
 *     .apiKey(key).source("BILLING_WEB").spool(Path.of("/var/lib/billing/vellum-spool")).build();
 * vellum.record(AuditEvent.type("DOCUMENT_DOWNLOADED").actor(Actor.user("alice"))
 *     .target("document", "D-17").outcome(Outcome.SUCCESS));
 * }</pre>
 *
 * <p>{@link #record} gives each event a UUIDv7 id (unless it has one) and returns at once. A
 * background thread sends batches (by count, bytes and linger time) and retries them with the same
 * ids until the server has answered for every event, so a retry is never stored twice. Without a
 * spool, events wait in a bounded memory buffer; when it is full {@code record} waits up to {@code
 * maxBlock} and then fails the event (never silently). With a spool, every event is fsynced to disk
 * before it is sent and stays there until the server has answered, so events recorded while Vellum
 * is down, or before this process was killed, are sent by the next client opened on the same spool.
 * Thread-safe.
 */
public final class VellumClient implements AutoCloseable {
  private final Settings settings;
  private final Http http;
  private final Outbox outbox;
  private final @Nullable Spool spool;
  private final Sender sender;
  private final Thread senderThread;
  private final ScheduledExecutorService timer;
  private final VellumListener listener;
  private final ConcurrentHashMap<String, CompletableFuture<Receipt>> futures =
      new ConcurrentHashMap<>();
  private final ReferenceMapper referenceMapper = new ReferenceMapper();
  private final LongAdder recorded = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder spooled = new LongAdder();
  private final LongAdder replayed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private volatile @Nullable String lastFailure;
  private volatile boolean closed;

  private VellumClient(Settings s) throws IOException {
    this.settings = s;
    this.listener = s.listener;
    this.http =
        new Http(
            Objects.requireNonNull(s.endpoint, "checked by build()"),
            Objects.requireNonNull(s.apiKey, "checked by build()"),
            s.connectTimeout,
            s.requestTimeout);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vellum-client-retry");
              t.setDaemon(true);
              return t;
            });
    if (s.spool != null) {
      spool =
          new Spool(
              s.spool, s.bufferCapacity, s.spoolSegmentBytes, s.maxSpoolBytes, new SpoolHooks());
      outbox = spool;
    } else {
      spool = null;
      outbox = new MemoryOutbox(s.bufferCapacity);
    }
    // ThreadLocalRandom must be fetched on the thread that uses it; the sender and timer differ
    sender =
        new Sender(
            http,
            outbox,
            new Backoff(s.retryBase, s.retryCap, () -> ThreadLocalRandom.current().nextLong()),
            new SenderCallbacks(),
            timer,
            s.maxInFlight,
            s.maxBatchEvents,
            s.maxBatchBytes,
            s.linger);
    senderThread = new Thread(sender, "vellum-client-sender");
    senderThread.setDaemon(true);
    senderThread.start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Records an event: fills in {@code id}, {@code occurred_at} and {@code source} where absent, and
   * queues it. Returns at once unless the buffer is full (then waits at most {@code maxBlock}). The
   * future completes with the server's receipt, or with {@link Receipt.Status#SPOOLED} if the
   * client is closed (or tracks too many receipts) while the event is safe in the spool, or
   * exceptionally with a {@link VellumException} saying why the event will not be delivered.
   */
  public CompletableFuture<Receipt> record(AuditEvent event) {
    return enqueue(event.toJson());
  }

  /**
   * Records an event in the flat format of the reference AWS design ({@code POST /audit/store}),
   * e.g. {@code initiatorsystemcode}, {@code eventtype}, {@code requestorid}, {@code requestorip},
   * {@code timestamp}. It is mapped here with the server's own mapping (vellum-core's {@code
   * ReferenceMapper}), so it gets a client id and travels with the other events: batched, retried
   * idempotently, spooled. A payload the reference API would refuse fails the future at once with
   * the reference field names as pointers.
   */
  public CompletableFuture<Receipt> recordLegacy(Map<String, ?> flat) {
    MappingResult m = referenceMapper.map((ObjectNode) AuditEvent.JSON.valueToTree(flat));
    if (!m.isSuccess()) {
      List<EventError> errors = new ArrayList<>();
      m.errors().forEach(e -> errors.add(new EventError(e.pointer(), e.detail())));
      failed.increment();
      return CompletableFuture.failedFuture(new RejectedEventException("(not sent)", 400, errors));
    }
    return enqueue(Objects.requireNonNull(m.event(), "a successful mapping has its event"));
  }

  private CompletableFuture<Receipt> enqueue(ObjectNode e) {
    if (closed) {
      failed.increment();
      return CompletableFuture.failedFuture(
          new VellumException("the client is closed", 0, false, null));
    }
    if (!e.hasNonNull("id")) {
      e.put("id", Uuid7.next().toString());
    }
    if (!e.hasNonNull("occurred_at")) {
      e.put("occurred_at", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
    }
    if (!e.hasNonNull("source") && settings.source != null) {
      e.put("source", settings.source);
    }
    String id = e.get("id").asText();
    byte[] bytes;
    try {
      bytes = AuditEvent.JSON.writeValueAsBytes(e);
    } catch (JsonProcessingException ex) {
      throw new IllegalArgumentException("event cannot be written as JSON", ex);
    }
    recorded.increment();
    if (bytes.length > settings.maxEventBytes) {
      VellumException tooBig =
          new RejectedEventException(
              id,
              413,
              List.of(
                  new EventError(
                      "",
                      "event is "
                          + bytes.length
                          + " bytes, over the limit of "
                          + settings.maxEventBytes)));
      fail(id, tooBig);
      return CompletableFuture.failedFuture(tooBig);
    }
    CompletableFuture<Receipt> f = new CompletableFuture<>();
    CompletableFuture<Receipt> earlier = futures.putIfAbsent(id, f);
    if (earlier != null) {
      return earlier.copy(); // the same id recorded twice while pending: one event, one answer
    }
    boolean queued;
    try {
      queued = outbox.offer(new Entry(id, bytes, f, null), settings.maxBlock.toNanos());
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      queued = false;
    }
    if (!queued) {
      futures.remove(id, f);
      VellumException full =
          new VellumException(
              "event "
                  + id
                  + " not recorded: the buffer of "
                  + settings.bufferCapacity
                  + " events is full (server slow or unreachable: "
                  + lastFailure
                  + ")",
              0,
              true,
              null);
      fail(id, full);
      f.completeExceptionally(full);
    }
    return f.copy();
  }

  private void fail(String id, VellumException cause) {
    failed.increment();
    try {
      listener.onFailed(id, cause);
    } catch (RuntimeException ignored) {
      // a listener's failure must not cost an event
    }
  }

  /**
   * Waits until every event recorded so far is settled (delivered, or failed for good), and in
   * spool mode until the spool is empty.
   *
   * @return false if that did not happen within {@code timeout}
   */
  public boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    outbox.hurry(true);
    try {
      CompletableFuture<?> all =
          CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0]));
      all.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      while (outbox.pending() > 0) { // settled before a batch releases its slot
        if (System.nanoTime() >= deadline) {
          return false;
        }
        Thread.sleep(5);
      }
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException impossible) {
      return true; // allOf of futures that fail individually; each caller has its own
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      outbox.hurry(false);
    }
  }

  /**
   * Stops accepting events, sends what is pending for at most {@code timeout}, and stops. Events
   * still undelivered then are, with a spool, kept on disk for the next client (their futures
   * complete as {@link Receipt.Status#SPOOLED}); without one, failed and reported.
   *
   * @return true if everything was delivered
   */
  public boolean close(Duration timeout) {
    if (closed) {
      return outbox.pending() == 0;
    }
    closed = true;
    boolean flushed = flush(timeout);
    outbox.hurry(true);
    outbox.shutdown();
    sender.abandon();
    if (spool != null) {
      spool.close(); // the writer finishes: everything offered is now on disk
    }
    try {
      senderThread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
    for (Entry e : outbox.drainUnsent()) {
      futures.remove(e.id);
      VellumException c =
          new VellumException(
              "event " + e.id + " not delivered: the client was closed first", 0, true, null);
      fail(e.id, c);
      Objects.requireNonNull(e.future, "unsent entries were recorded by this client, with futures")
          .completeExceptionally(c);
    }
    for (var pending : futures.entrySet()) {
      if (spool != null) {
        pending.getValue().complete(Receipt.spooled(pending.getKey()));
      } else if (!pending.getValue().isDone()) {
        VellumException c =
            new VellumException(
                "event "
                    + pending.getKey()
                    + " not delivered: the client was closed first ("
                    + lastFailure
                    + ")",
                0,
                true,
                null);
        fail(pending.getKey(), c);
        pending.getValue().completeExceptionally(c);
      }
    }
    futures.clear();
    if (spool == null) {
      outbox.close();
    }
    return flushed;
  }

  /** {@link #close(Duration)} with 30 seconds. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  public ClientStats stats() {
    return new ClientStats(
        recorded.sum(),
        sent.sum(),
        duplicates.sum(),
        retried.sum(),
        spooled.sum(),
        replayed.sum(),
        failed.sum(),
        outbox.pending(),
        consecutiveFailures.get(),
        lastFailure);
  }

  /** The spool directory, or null in memory mode. */
  public @Nullable Path spoolDirectory() {
    return settings.spool;
  }

  /**
   * Fetches the inclusion proof of a committed event ({@code GET /v1/log/proof}, which needs the
   * {@code log:read} scope and is not itself recorded as a read) and checks, on this side, that the
   * checkpoint is signed by {@code trustedKey} (the verifier key you pinned, as served once by
   * {@code GET /v1/log/key}) and that the receipt's leaf hash is at its seq in that tree. Waits up
   * to {@code wait} for a checkpoint that covers the event (one is signed within about a second).
   *
   * @throws IntegrityException if the proof, the signature or the leaf hash does not check out
   * @throws VellumException if the proof could not be fetched in time
   */
  public VerifiedInclusion verifyInclusion(Receipt receipt, String trustedKey, Duration wait) {
    if (!receipt.committed()) {
      throw new IllegalArgumentException(
          "receipt of " + receipt.id() + " has no seq yet: the event is still in the spool");
    }
    NoteVerifier verifier = NoteVerifier.parse(trustedKey);
    long deadline = System.nanoTime() + wait.toNanos();
    JsonNode proof;
    while (true) {
      HttpResponse<String> r;
      try {
        r = http.get("/v1/log/proof?leaf_index=" + receipt.seq());
      } catch (IOException e) {
        throw new VellumException(
            "cannot fetch the proof of " + receipt.id() + ": " + e, 0, true, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new VellumException("interrupted", 0, true, e);
      }
      if (r.statusCode() == 200) {
        try {
          proof = AuditEvent.JSON.readTree(r.body());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        if (proof.path("checkpoint").isTextual()) {
          break;
        }
      } else if (r.statusCode() != 400 && r.statusCode() != 404) {
        throw new VellumException(
            "proof of " + receipt.id() + ": HTTP " + r.statusCode() + " " + r.body(),
            r.statusCode(),
            r.statusCode() >= 500,
            null);
      }
      // 400/404: no checkpoint covers the event yet; one is signed within about a second
      if (System.nanoTime() >= deadline) {
        throw new VellumException(
            "no checkpoint covered seq "
                + receipt.seq()
                + " within "
                + wait
                + " (last answer HTTP "
                + r.statusCode()
                + ")",
            r.statusCode(),
            true,
            null);
      }
      sleep(200);
    }
    try {
      Checkpoint cp = verifier.verifyCheckpoint(proof.path("checkpoint").asText());
      long size = proof.path("tree_size").asLong();
      if (cp.size() != size) {
        throw new IntegrityException(
            "proof is for tree size " + size + " but its checkpoint signs size " + cp.size(), null);
      }
      if (!proof.path("leaf_hash").asText().equals(receipt.leafHash())) {
        throw new IntegrityException(
            "leaf "
                + receipt.seq()
                + " has hash "
                + proof.path("leaf_hash").asText()
                + ", the receipt says "
                + receipt.leafHash(),
            null);
      }
      Base64.Decoder b64 = Base64.getDecoder();
      List<byte[]> path = new ArrayList<>();
      proof.path("audit_path").forEach(h -> path.add(b64.decode(h.asText())));
      ProofVerifier.verifyInclusion(
          receipt.seq(), size, b64.decode(receipt.leafHash()), path, cp.rootHash());
      return new VerifiedInclusion(
          receipt.id(),
          receipt.seq(),
          size,
          Base64.getEncoder().encodeToString(cp.rootHash()),
          proof.path("checkpoint").asText());
    } catch (NoteException | ProofException | IllegalArgumentException e) {
      throw new IntegrityException(
          "inclusion of "
              + receipt.id()
              + " at seq "
              + receipt.seq()
              + " does not verify: "
              + e.getMessage(),
          e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VellumException("interrupted", 0, true, e);
    }
  }

  private final class SenderCallbacks implements Sender.Callbacks {
    @Override
    public void delivered(Entry e, Receipt r) {
      (r.status() == Receipt.Status.DUPLICATE ? duplicates : sent).increment();
      CompletableFuture<Receipt> f = futures.remove(e.id);
      outbox.settled(e);
      if (f != null) {
        f.complete(r);
      }
    }

    @Override
    public void failed(Entry e, VellumException cause) {
      if (spool != null) {
        spool.deadLetter(e, cause.getMessage());
      }
      fail(e.id, cause);
      CompletableFuture<Receipt> f = futures.remove(e.id);
      outbox.settled(e);
      if (f != null) {
        f.completeExceptionally(cause);
      }
    }

    @Override
    public void retrying(int attempt, int events, Duration delay, String reason) {
      retried.add(events);
      try {
        listener.onRetry(attempt, events, delay, reason);
      } catch (RuntimeException ignored) {
        // listeners must not break delivery
      }
    }

    @Override
    public void answered(int accepted, int dups) {
      try {
        listener.onDelivered(accepted, dups);
      } catch (RuntimeException ignored) {
        // listeners must not break delivery
      }
    }

    @Override
    public void attempt(boolean reachedServer, @Nullable String failure) {
      if (failure == null) {
        consecutiveFailures.set(0);
      } else {
        lastFailure = failure;
        if (!reachedServer) {
          consecutiveFailures.incrementAndGet();
        }
      }
    }
  }

  private final class SpoolHooks implements Spool.Hooks {
    @Override
    public @Nullable CompletableFuture<Receipt> futureOf(String id) {
      return futures.get(id);
    }

    @Override
    public void spooled(List<Entry> group) {
      spooled.add(group.size());
      // receipts are held in memory only up to the buffer's size; beyond that the caller learns
      // that the event is safe on disk, and the spool, not memory, carries the rest
      if (futures.size() > settings.bufferCapacity) {
        for (Entry e : group) {
          CompletableFuture<Receipt> f = futures.remove(e.id);
          if (f != null) {
            f.complete(Receipt.spooled(e.id));
          }
        }
      }
    }

    @Override
    public void writeFailed(List<Entry> group, IOException cause) {
      for (Entry e : group) {
        VellumException c =
            new VellumException(
                "event " + e.id + " not recorded: cannot write to the spool: " + cause.getMessage(),
                0,
                true,
                cause);
        fail(e.id, c);
        CompletableFuture<Receipt> f = futures.remove(e.id);
        if (f != null) {
          f.completeExceptionally(c);
        }
      }
    }

    @Override
    public void replayed(long events) {
      replayed.add(events);
    }

    @Override
    public void damage(Path segment, long offset, long bytesSkipped, String reason) {
      try {
        listener.onSpoolDamage(segment, offset, bytesSkipped, reason);
      } catch (RuntimeException ignored) {
        // reported as well as we can
      }
    }
  }

  /** Everything a client is configured with; checked once in {@link Builder#build}. */
  private static final class Settings {
    @Nullable URI endpoint;
    @Nullable String apiKey;
    @Nullable String source;
    @Nullable Path spool;
    int maxBatchEvents = 500;
    int maxBatchBytes = 1 << 20;
    int maxEventBytes = 1 << 20;
    Duration linger = Duration.ofMillis(20);
    int bufferCapacity = 10_000;
    Duration maxBlock = Duration.ofMillis(100);
    int maxInFlight = 4;
    Duration connectTimeout = Duration.ofSeconds(5);
    Duration requestTimeout = Duration.ofSeconds(30);
    Duration retryBase = Duration.ofMillis(100);
    Duration retryCap = Duration.ofSeconds(30);
    long spoolSegmentBytes = 4 << 20;
    long maxSpoolBytes = 1L << 30;
    VellumListener listener = new VellumListener() {};

    Settings copy() {
      Settings c = new Settings();
      c.endpoint = endpoint;
      c.apiKey = apiKey;
      c.source = source;
      c.spool = spool;
      c.maxBatchEvents = maxBatchEvents;
      c.maxBatchBytes = maxBatchBytes;
      c.maxEventBytes = maxEventBytes;
      c.linger = linger;
      c.bufferCapacity = bufferCapacity;
      c.maxBlock = maxBlock;
      c.maxInFlight = maxInFlight;
      c.connectTimeout = connectTimeout;
      c.requestTimeout = requestTimeout;
      c.retryBase = retryBase;
      c.retryCap = retryCap;
      c.spoolSegmentBytes = spoolSegmentBytes;
      c.maxSpoolBytes = maxSpoolBytes;
      c.listener = listener;
      return c;
    }
  }

  /** Configures a client; every setting but the endpoint and the key has a default. */
  public static final class Builder {
    private final Settings s = new Settings();

    private Builder() {}

    public Builder endpoint(String url) {
      return endpoint(URI.create(url));
    }

    public Builder endpoint(URI url) {
      s.endpoint = url;
      return this;
    }

    public Builder apiKey(String key) {
      s.apiKey = key;
      return this;
    }

    /** The source of events that name none. */
    public Builder source(String source) {
      s.source = source;
      return this;
    }

    /**
     * A directory for the disk spool (created if absent). With it every event is fsynced before it
     * is sent and survives outages and crashes; one client per directory at a time.
     */
    public Builder spool(Path dir) {
      s.spool = dir;
      return this;
    }

    /** Events per request, 1 to 1,000 (the server's limit); default 500. */
    public Builder maxBatchEvents(int n) {
      s.maxBatchEvents = n;
      return this;
    }

    /** Bytes per request; default 1 MiB (the server takes up to 4 MiB). */
    public Builder maxBatchBytes(int n) {
      s.maxBatchBytes = n;
      return this;
    }

    /** How long a batch waits for more events before it is sent; default 20 ms. */
    public Builder linger(Duration d) {
      s.linger = d;
      return this;
    }

    /**
     * Events held in memory: all undelivered ones without a spool, those not yet on disk with one.
     * Default 10,000.
     */
    public Builder bufferCapacity(int n) {
      s.bufferCapacity = n;
      return this;
    }

    /**
     * How long {@code record} may wait for buffer space before failing the event; default 100 ms.
     */
    public Builder maxBlock(Duration d) {
      s.maxBlock = d;
      return this;
    }

    /** Requests open at once; default 4 (the server allows 32 per key). */
    public Builder maxInFlight(int n) {
      s.maxInFlight = n;
      return this;
    }

    public Builder requestTimeout(Duration d) {
      s.requestTimeout = d;
      return this;
    }

    /** First and largest delay between retries; default 100 ms and 30 s. */
    public Builder retryBackoff(Duration base, Duration cap) {
      s.retryBase = base;
      s.retryCap = cap;
      return this;
    }

    /** Most bytes the spool may hold on disk; then {@code record} waits. Default 1 GiB. */
    public Builder maxSpoolBytes(long n) {
      s.maxSpoolBytes = n;
      return this;
    }

    /** Size at which a spool segment is closed and a new one started; default 4 MiB. */
    public Builder spoolSegmentBytes(long n) {
      s.spoolSegmentBytes = n;
      return this;
    }

    public Builder listener(VellumListener l) {
      s.listener = Objects.requireNonNull(l, "listener");
      return this;
    }

    /**
     * Checks the settings and starts the client (and, with a spool, replays what an earlier run
     * left in it).
     *
     * @throws IllegalArgumentException naming the first bad setting
     * @throws UncheckedIOException if the spool directory cannot be opened or is in use
     */
    public VellumClient build() {
      require(
          s.endpoint != null
              && s.endpoint.getScheme() != null
              && (s.endpoint.getScheme().equals("http") || s.endpoint.getScheme().equals("https")),
          "endpoint must be an http:// or https:// URL: " + s.endpoint);
      require(s.apiKey != null && !s.apiKey.isBlank(), "apiKey is required");
      require(
          s.maxBatchEvents >= 1 && s.maxBatchEvents <= 1000,
          "maxBatchEvents must be 1 to 1000: " + s.maxBatchEvents);
      require(s.maxBatchBytes >= 1024, "maxBatchBytes must be at least 1024: " + s.maxBatchBytes);
      require(s.bufferCapacity >= 1, "bufferCapacity must be positive: " + s.bufferCapacity);
      require(
          s.maxInFlight >= 1 && s.maxInFlight <= 32,
          "maxInFlight must be 1 to 32: " + s.maxInFlight);
      require(!s.linger.isNegative(), "linger must not be negative: " + s.linger);
      require(!s.maxBlock.isNegative(), "maxBlock must not be negative: " + s.maxBlock);
      require(s.spoolSegmentBytes >= 4096, "spoolSegmentBytes must be at least 4096");
      require(
          s.maxSpoolBytes >= s.spoolSegmentBytes,
          "maxSpoolBytes must be at least spoolSegmentBytes: " + s.maxSpoolBytes);
      new Backoff(s.retryBase, s.retryCap, () -> 0L); // validates
      try {
        return new VellumClient(s.copy()); // later calls on the builder cannot change a client
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot open the spool " + s.spool + ": " + e.getMessage(), e);
      }
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
