package dev.vellum.alarms;

import dev.vellum.feed.ConsumerStatus;
import dev.vellum.ingest.IngestCounts;
import dev.vellum.ingest.Times;
import dev.vellum.log.LogSelfCheck;
import dev.vellum.store.StoredCheckpoint;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the node's own signals ({@link Signal}) every interval, from the components themselves,
 * keeps the latest {@link Snapshot}, and hands each new one to its listeners (the alarm rules).
 *
 * <p>Every sample is cheap and bounded: counters and gauges read from memory; per tenant the tree
 * size and latest checkpoint (memory on SQLite, one indexed read each on PostgreSQL); the log
 * self-check of at most {@link #CHECKS_PER_SAMPLE} tenants, in turns; one {@code statvfs} of the
 * data dir. At most {@link #MAX_TENANTS} tenants are sampled.
 *
 * <p>Checkpoint age is measured from the later of the latest checkpoint's signing time and the
 * first sample that saw the tenant's tree larger than that checkpoint, so a tenant that was quiet
 * for a day does not look a day behind the moment its next event commits; the value is therefore
 * exact to within one sample interval.
 */
public final class SignalSampler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SignalSampler.class);
  static final int MAX_TENANTS = 10_000;
  static final int CHECKS_PER_SAMPLE = 64;

  /** Where the signals come from. */
  public record Sources(
      Supplier<List<String>> tenants,
      IngestCounts ingest,
      LongSupplier queueDepth,
      Supplier<List<ConsumerStatus>> consumers,
      ToLongFunction<String> treeSize,
      Function<String, Optional<StoredCheckpoint>> latestCheckpoint,
      LogSelfCheck selfCheck,
      Path dataDir) {}

  private final Sources sources;
  private final Clock clock;
  private final Duration interval;
  private final RateWindow rates;
  private final Map<String, Long> unsignedSince = new HashMap<>();
  private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timer;
  private volatile Snapshot latest = Snapshot.empty();
  private int checkCursor;

  public SignalSampler(Sources sources, Clock clock, Duration interval, Duration rateWindow) {
    this.sources = sources;
    this.clock = clock;
    this.interval = interval;
    this.rates = new RateWindow(rateWindow.toNanos() / 1000);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vellum-signals");
              t.setDaemon(true);
              return t;
            });
  }

  /** Calls {@code listener} with each new snapshot, on the sampler's thread. */
  public void addListener(Consumer<Snapshot> listener) {
    listeners.add(listener);
  }

  public void start() {
    var unused =
        timer.scheduleWithFixedDelay(
            this::sampleSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The latest sample (empty before the first). */
  public Snapshot latest() {
    return latest;
  }

  private void sampleSafely() {
    try {
      Snapshot s = sample();
      for (Consumer<Snapshot> l : listeners) {
        try {
          l.accept(s);
        } catch (RuntimeException e) {
          LOG.warn("a signal listener failed, will run again next sample: {}", e.toString());
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("sampling the signals failed, will try again: {}", e.toString());
    }
  }

  /** Reads every signal now. */
  synchronized Snapshot sample() {
    long now = Times.micros(clock.instant());
    List<Snapshot.Reading> out = new ArrayList<>();
    List<String> tenants = sources.tenants().get();
    if (tenants.size() > MAX_TENANTS) {
      tenants = tenants.subList(0, MAX_TENANTS);
    }
    rates.add(now, sources.ingest().node(), sources.ingest().tenants());
    RateWindow.Counts node = rates.node();
    out.add(reading(Signal.NODE_INGEST_REJECTION_RATE, Map.of(), node.rate()));
    selfCheck(tenants, now);
    int failedTenants = 0;
    List<Snapshot.Reading> perTenant = new ArrayList<>(); // listed after the node's own
    for (String t : tenants) {
      Map<String, String> dim = Map.of("tenant", t);
      RateWindow.Counts c = rates.tenant(t);
      perTenant.add(reading(Signal.INGEST_REJECTION_RATE, dim, c.rate()));
      perTenant.add(reading(Signal.INGEST_REJECTED, dim, c.rejected()));
      perTenant.add(reading(Signal.CHECKPOINT_AGE, dim, checkpointAgeSeconds(t, now)));
      boolean failed = sources.selfCheck().failed(t);
      failedTenants += failed ? 1 : 0;
      perTenant.add(reading(Signal.VERIFICATION_FAILED, dim, failed ? 1 : 0));
    }
    unsignedSince.keySet().retainAll(new java.util.HashSet<>(tenants));
    out.add(reading(Signal.VERIFICATION_FAILED_TENANTS, Map.of(), failedTenants));
    out.add(reading(Signal.QUEUE_DEPTH, Map.of(), sources.queueDepth().getAsLong()));
    for (ConsumerStatus c : sources.consumers().get()) {
      Map<String, String> dim = Map.of("consumer", c.name());
      out.add(reading(Signal.CONSUMER_LAG, dim, c.lagEvents()));
      out.add(reading(Signal.CONSUMER_FAILING, dim, c.failing() ? 1 : 0));
    }
    disk(out);
    out.addAll(perTenant);
    Snapshot s = new Snapshot(now, out);
    latest = s;
    return s;
  }

  private static Snapshot.Reading reading(Signal s, Map<String, String> dims, double value) {
    return new Snapshot.Reading(s, dims, value);
  }

  private double checkpointAgeSeconds(String tenant, long now) {
    long size = sources.treeSize().applyAsLong(tenant);
    Optional<StoredCheckpoint> cp = sources.latestCheckpoint().apply(tenant);
    long signed = cp.map(StoredCheckpoint::treeSize).orElse(0L);
    if (size <= signed) {
      unsignedSince.remove(tenant);
      return 0;
    }
    long since = unsignedSince.computeIfAbsent(tenant, k -> now);
    long from = Math.max(since, cp.map(StoredCheckpoint::signedAtMicros).orElse(0L));
    return Math.max(0, now - from) / 1e6;
  }

  /** Checks the logs of the next few tenants, in turns, so every tenant is checked regularly. */
  private void selfCheck(List<String> tenants, long now) {
    if (tenants.isEmpty()) {
      return;
    }
    int n = Math.min(CHECKS_PER_SAMPLE, tenants.size());
    for (int i = 0; i < n; i++) {
      checkCursor = (checkCursor + 1) % tenants.size();
      sources.selfCheck().check(tenants.get(checkCursor), now);
    }
  }

  private void disk(List<Snapshot.Reading> out) {
    try {
      FileStore fs = Files.getFileStore(sources.dataDir());
      long usable = fs.getUsableSpace();
      long total = fs.getTotalSpace();
      out.add(reading(Signal.DISK_FREE_BYTES, Map.of(), usable));
      out.add(reading(Signal.DISK_FREE_PERCENT, Map.of(), total <= 0 ? 0 : 100.0 * usable / total));
    } catch (IOException e) {
      LOG.warn("cannot read the free space of {}: {}", sources.dataDir(), e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
