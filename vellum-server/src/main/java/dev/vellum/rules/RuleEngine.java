package dev.vellum.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.ingest.Times;
import dev.vellum.store.DirectoryStore;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.RecordStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules engine: a consumer of the committed-event feed that runs every tenant's rules on each
 * event, off the ingest path, and records what fires as alerts ({@link Alerts}).
 *
 * <p>Rules are indexed by the event types their patterns name, so an event is tested only against
 * the rules that can match its type plus those that match any type. Window state lives in memory
 * and is made durable as snapshots (records of kind {@code rule_state}, one per rule, and one
 * holding the feed position they all cover, written in one transaction every few seconds and at
 * stop). {@link #resumeFrom} answers that position, and events at or before it are skipped, so a
 * restart replays exactly what the snapshot does not hold; a firing replayed gets the same alert
 * id, which the alert store refuses the second time.
 */
public final class RuleEngine implements FeedConsumer, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RuleEngine.class);
  public static final String NAME = "rules";
  static final String STATE_KIND = "rule_state";
  static final String ENGINE_TENANT = "_engine";
  static final String POSITION_ID = "position";
  static final String RULE_KIND = "rule";
  private static final int SNAPSHOT_COST_FACTOR = 10;

  private final RecordStore records;
  private final ObjectMapper json;
  private final Clock clock;
  private final Alerts alerts;
  private final LongSupplier headPosition;
  private final Supplier<List<String>> tenantIds;
  private final Duration snapshotEvery;
  private final Map<String, TenantRules> tenants = new HashMap<>();
  private final Set<String> stale = ConcurrentHashMap.newKeySet();
  private volatile Consumer<String> announce = tenant -> {};

  /** Set when rule changes may have been missed: every loaded tenant is read again before use. */
  private volatile boolean allStale;

  private final StateBudget budget = new StateBudget();
  private final Counter matched;
  private final Counter evaluated;
  private final ScheduledExecutorService timer;
  private long applied;
  private long snapshotAt;
  private long lastSnapshotNanos = System.nanoTime();
  private long lastSnapshotCostNanos;
  private boolean allTenantsLoaded;

  /** One tenant's rules, indexed by event type. */
  private static final class TenantRules {
    final Map<String, Evaluator> byId = new HashMap<>();
    final Map<String, List<Evaluator>> byType = new HashMap<>();
    final List<Evaluator> anyType = new ArrayList<>();
  }

  /**
   * {@code systemEvents} records an event the server writes itself in a tenant's log and returns
   * when it is durable ({@code IngestService::recordSystemEvent}); it must be idempotent by event
   * id.
   */
  public RuleEngine(
      RecordStore records,
      BiConsumer<String, ObjectNode> systemEvents,
      ObjectMapper json,
      Clock clock,
      MeterRegistry metrics,
      LongSupplier headPosition,
      Supplier<List<String>> tenantIds,
      Duration tick,
      Duration snapshotEvery) {
    this.records = records;
    this.json = json;
    this.clock = clock;
    this.headPosition = headPosition;
    this.tenantIds = tenantIds;
    this.snapshotEvery = snapshotEvery;
    this.alerts = new Alerts(records, systemEvents, json, clock, metrics);
    this.matched =
        Counter.builder("vellum.rules.matches")
            .description("rule firings before suppression (events that made a rule fire)")
            .register(metrics);
    this.evaluated =
        Counter.builder("vellum.rules.evaluations")
            .description("(event, rule) pairs tested after the type index")
            .register(metrics);
    FunctionCounter.builder("vellum.rules.state.evicted", budget, StateBudget::evicted)
        .description("rule window groups forgotten to stay within the engine's state budget")
        .register(metrics);
    Optional<RecordStore.Entry> pos = records.get(STATE_KIND, ENGINE_TENANT, POSITION_ID);
    if (pos.isPresent()) {
      this.applied = readPosition(pos.get());
    } else {
      // a new engine starts at the head: rules apply to what is committed from now on, history is
      // for POST /v1/rules/test
      this.applied = headPosition.getAsLong();
      writePosition();
    }
    this.snapshotAt = applied;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vellum-rules-timer");
              t.setDaemon(true);
              return t;
            });
    var unused =
        timer.scheduleWithFixedDelay(
            this::tickSafely, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  Alerts alerts() {
    return alerts;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<String> clusterRole() {
    return Optional.of(NAME);
  }

  /**
   * The snapshot's position, whatever the runner stored: events after it are replayed into the
   * state; events before it are in the state already (a stored position behind the snapshot only
   * means the runner had not saved its position yet), so a new engine does not read the history.
   */
  @Override
  public synchronized long resumeFrom(long storedPosition) {
    return snapshotAt;
  }

  /**
   * Tells the engine that a tenant's rules changed (on this node): read again before use. Also
   * announced to the other nodes once {@link #announceChangesThrough} was called, since the node
   * running the engine may be another one.
   */
  public void rulesChanged(String tenant) {
    stale.add(tenant);
    try {
      announce.accept(tenant);
    } catch (RuntimeException e) {
      // the rule is stored; the other nodes read it again after their next reconnect (drops all)
      LOG.warn("could not announce the rules change of tenant {}: {}", tenant, e.toString());
    }
  }

  /**
   * For several nodes on one database: announces this node's rule changes through {@code
   * directory}, whose listener hands every node's changes to {@link #onDirectoryChange}.
   */
  public void announceChangesThrough(DirectoryStore directory) {
    announce =
        tenant ->
            directory.announce(
                new DirectoryStore.Change(DirectoryStore.Change.Kind.RULES, tenant, ""));
  }

  /**
   * A change another node (or this one) committed: rules of a tenant, or anything after a missed
   * notice (then every loaded tenant's rules are read again).
   */
  public void onDirectoryChange(DirectoryStore.Change change) {
    switch (change.kind()) {
      case RULES -> stale.add(change.tenant());
      case ALL -> allStale = true;
      default -> {
        // not about rules
      }
    }
  }

  @Override
  public synchronized void accept(List<FeedEvent> events) {
    for (FeedEvent fe : events) {
      if (fe.position() <= applied) {
        continue; // already in the state, through the snapshot this run started from
      }
      if (fe.restored()) {
        applied = fe.position(); // back from the archive: it was evaluated when first committed
        continue;
      }
      NewEvent e = fe.event();
      TenantRules t = tenant(e.tenant());
      List<Evaluator> typed = t.byType.getOrDefault(e.type(), List.of());
      if (!typed.isEmpty() || !t.anyType.isEmpty()) {
        Evaluator.Ev ev = toEv(e);
        evaluate(e.tenant(), typed, ev);
        evaluate(e.tenant(), t.anyType, ev);
      }
      applied = fe.position();
    }
    if (System.nanoTime() - lastSnapshotNanos >= snapshotInterval()) {
      snapshot();
    }
  }

  /**
   * The configured interval, stretched so that writing snapshots takes at most a tenth of the
   * engine's time: with many busy rules a snapshot is large, and writing one every few seconds
   * would leave the engine behind the feed. A restart then replays a little more.
   */
  private long snapshotInterval() {
    return Math.max(snapshotEvery.toNanos(), SNAPSHOT_COST_FACTOR * lastSnapshotCostNanos);
  }

  private void evaluate(String tenant, List<Evaluator> rules, Evaluator.Ev ev) {
    for (Evaluator r : rules) {
      evaluated.increment();
      for (Evaluator.Firing f : r.onEvent(ev)) {
        matched.increment();
        alerts.fire(tenant, f);
      }
    }
  }

  private Evaluator.Ev toEv(NewEvent e) {
    JsonNode body;
    try {
      body = json.readTree(e.body());
    } catch (IOException bad) {
      throw new IllegalStateException("stored event " + e.id() + " is not JSON", bad);
    }
    return new Evaluator.Ev(
        e.seq(), e.id(), e.occurredAtMicros(), e.receivedAtMicros(), e.source(), body);
  }

  /**
   * Under the engine's lock: turns a missed-changes notice into every loaded tenant being stale.
   */
  private void takeAllStale() {
    if (allStale) {
      allStale = false;
      stale.addAll(tenants.keySet());
    }
  }

  private TenantRules tenant(String tenant) {
    takeAllStale();
    TenantRules t = tenants.get(tenant);
    if (t == null || stale.remove(tenant)) {
      t = load(tenant, t);
      tenants.put(tenant, t);
      budget.rulesLoaded(tenants.values().stream().mapToInt(r -> r.byId.size()).sum());
    }
    return t;
  }

  /** (Re)reads a tenant's rules; evaluators of unchanged rules keep their state. */
  private TenantRules load(String tenant, @org.jspecify.annotations.Nullable TenantRules before) {
    TenantRules t = new TenantRules();
    Map<String, JsonNode> states = new HashMap<>();
    if (before == null) {
      for (RecordStore.Entry s :
          records.list(STATE_KIND, tenant, null, "", RuleService.MAX_RULES)) {
        states.put(s.id(), parse(s.body()));
      }
    }
    for (RecordStore.Entry r : records.list(RULE_KIND, tenant, null, "", RuleService.MAX_RULES)) {
      Rule rule;
      try {
        rule = RuleService.compile(json, tenant, r);
      } catch (RuleProblem invalid) {
        LOG.warn(
            "stored rule {} of tenant {} no longer compiles: {}", r.id(), tenant, invalid.errors());
        continue;
      }
      Evaluator old = before == null ? null : before.byId.get(rule.id());
      Evaluator ev;
      if (old != null && old.rule.revision() == rule.revision()) {
        ev = old;
      } else {
        ev = new Evaluator(rule, json, budget);
        JsonNode s = states.get(rule.id());
        if (s != null) {
          ev.restore(s);
        }
        ev.dirty = true;
      }
      t.byId.put(rule.id(), ev);
      Set<String> types = rule.types();
      if (types == null) {
        t.anyType.add(ev);
      } else {
        for (String type : types) {
          t.byType.computeIfAbsent(type, k -> new ArrayList<>()).add(ev);
        }
      }
    }
    if (before != null) {
      for (String gone : before.byId.keySet()) {
        if (!t.byId.containsKey(gone)) {
          records.delete(STATE_KIND, tenant, gone);
        }
      }
    }
    return t;
  }

  /** Writes the state of every changed rule and the position they cover, in one transaction. */
  synchronized void snapshot() {
    long started = System.nanoTime();
    List<RecordStore.Entry> out = new ArrayList<>();
    long now = Times.micros(clock.instant());
    for (Map.Entry<String, TenantRules> t : tenants.entrySet()) {
      for (Evaluator ev : t.getValue().byId.values()) {
        if (!ev.dirty) {
          continue;
        }
        String body = ev.snapshot();
        while (body.length() > RecordStore.MAX_BODY_LENGTH) {
          ev.shed();
          body = ev.snapshot();
        }
        out.add(RecordStore.Entry.of(STATE_KIND, t.getKey(), ev.rule.id(), body, now));
        ev.dirty = false;
      }
    }
    out.add(positionEntry(now));
    records.putAll(out);
    snapshotAt = applied;
    lastSnapshotNanos = System.nanoTime();
    lastSnapshotCostNanos = lastSnapshotNanos - started;
  }

  private RecordStore.Entry positionEntry(long now) {
    return RecordStore.Entry.of(
        STATE_KIND, ENGINE_TENANT, POSITION_ID, "{\"position\":" + applied + "}", now);
  }

  private void writePosition() {
    records.putAll(List.of(positionEntry(Times.micros(clock.instant()))));
  }

  private long readPosition(RecordStore.Entry e) {
    return parse(e.body()).path("position").asLong(0);
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.warn("rules timer failed, will try again: {}", e.toString());
    }
  }

  /**
   * The timer: absence rules (only once the engine has caught up with the feed, so that events
   * already committed are counted before a group is called quiet), pending and due alerts.
   */
  synchronized void tick() {
    takeAllStale();
    long now = Times.micros(clock.instant());
    if (applied >= headPosition.getAsLong()) {
      if (!allTenantsLoaded) {
        tenantIds.get().forEach(this::tenant);
        allTenantsLoaded = true;
      }
      for (Map.Entry<String, TenantRules> t : new ArrayList<>(tenants.entrySet())) {
        TenantRules rules = stale.contains(t.getKey()) ? tenant(t.getKey()) : t.getValue();
        for (Evaluator ev : rules.byId.values()) {
          for (Evaluator.Firing f : ev.onTick(now)) {
            matched.increment();
            alerts.fire(t.getKey(), f);
          }
        }
      }
    }
    alerts.tick();
  }

  private JsonNode parse(String body) {
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("stored rule state is not JSON", e);
    }
  }

  /** Stops the timer and writes a last snapshot, so a graceful restart replays nothing. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    snapshot();
  }
}
