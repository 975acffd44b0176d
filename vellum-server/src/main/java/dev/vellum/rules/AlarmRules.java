package dev.vellum.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.alarms.Signal;
import dev.vellum.alarms.Snapshot;
import dev.vellum.core.event.FieldError;
import dev.vellum.ingest.Times;
import dev.vellum.store.RecordStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alarm rules: rules whose condition is one of Vellum's own signals ({@link Signal}) instead of an
 * event pattern. After each sample of the signals it runs every enabled alarm rule's {@link
 * AlarmState}, and fires and resolves through the same {@link Alerts} as the event rules, so an
 * alarm becomes ALERT_FIRED / ALERT_RESOLVED events in the tenant's log and reaches the tenant's
 * channels through the notifiers like any alert.
 *
 * <p><b>Who may watch what.</b> A tenant's own signals (its rejection rate, its checkpoint age, its
 * log's self-check) are open to any tenant's admin; node-wide signals and other tenants' values
 * only to the operator tenants of the configuration. This is checked when a rule is saved (403) and
 * again at every evaluation, so removing a tenant from the operator list silences its rules.
 *
 * <p><b>Where alarms run.</b> Node signals (disk, queue, consumer lag, ingest rejections: what this
 * node sees) are evaluated by every node for itself, with the node in the alert's group and a state
 * of its own; cluster signals (checkpoint age, self-check verdicts: read from the shared store) are
 * evaluated only by the node holding the {@code rules} role, so a cluster raises one alert, not one
 * per node. On SQLite there is one node and it holds every role.
 *
 * <p><b>State.</b> Whether a condition is holding lives in memory; an alarm's firing alert and
 * suppression are records (kind {@code alarm_state}), written only when an alarm fires or resolves,
 * so after a restart a firing alarm still resolves when its condition clears (a condition that was
 * holding but not yet firing starts its {@code for} again).
 */
public final class AlarmRules {
  private static final Logger LOG = LoggerFactory.getLogger(AlarmRules.class);
  static final String STATE_KIND = "alarm_state";

  /** Status (and due time 1) under which alarm rules are stored, to list them over all tenants. */
  static final String RULE_STATUS = "signal";

  /** At most this many alarm rules are evaluated, over all tenants. */
  public static final int MAX_ALARM_RULES = 10_000;

  /** {@code GET /v1/alarms/signals} lists at most this many readings. */
  static final int MAX_LISTED = 5_000;

  private final RecordStore records;
  private final Alerts alerts;
  private final ObjectMapper json;
  private final Clock clock;
  private final Set<String> operators;
  private final String nodeId;
  private final BooleanSupplier clusterRoleHeld;
  private final long refreshMicros;
  private final Map<String, AlarmState> states = new HashMap<>();
  private final Set<String> refused = new HashSet<>();
  private List<Rule> rules = List.of();
  private long refreshedAt = Long.MIN_VALUE;
  private volatile boolean stale = true;

  /**
   * {@code nodeId} names this node in the alerts of node signals; {@code clusterRoleHeld} tells
   * whether this node evaluates the cluster signals (it holds the rules role); alarm rules are read
   * again every {@code refresh} and after every change made on this node.
   */
  public AlarmRules(
      RecordStore records,
      RuleEngine engine,
      ObjectMapper json,
      Clock clock,
      Set<String> operatorTenants,
      String nodeId,
      BooleanSupplier clusterRoleHeld,
      Duration refresh) {
    this.records = records;
    this.alerts = engine.alerts();
    this.json = json;
    this.clock = clock;
    this.operators = Set.copyOf(operatorTenants);
    this.nodeId = nodeId;
    this.clusterRoleHeld = clusterRoleHeld;
    this.refreshMicros = refresh.toNanos() / 1000;
  }

  /** Whether the tenant may watch node-wide signals and other tenants' values. */
  public boolean isOperator(String tenant) {
    return operators.contains(tenant);
  }

  void rulesChanged() {
    stale = true;
  }

  /** Why {@code tenant} may not watch this condition, or empty when it may. */
  Optional<String> refusal(String tenant, SignalCondition c) {
    if (isOperator(tenant)) {
      return Optional.empty();
    }
    if (c.signal().visibility() == Signal.Visibility.OPERATOR) {
      return Optional.of(
          "signal "
              + c.signal().id()
              + " is node-wide; only operator tenants (alarms.operator_tenants) may watch it");
    }
    String t = c.dimensions().get("tenant");
    if (t != null && !t.equals(tenant)) {
      return Optional.of("a tenant may watch only its own " + c.signal().id());
    }
    return Optional.empty();
  }

  /** Refuses, as a 403 problem, a rule whose signal the tenant may not watch. */
  void checkAccess(String tenant, Rule rule) {
    SignalCondition c = rule.signal();
    if (c == null) {
      return;
    }
    Optional<String> why = refusal(tenant, c);
    if (why.isPresent()) {
      throw new RuleProblem(
          RuleProblem.Kind.FORBIDDEN, why.get(), List.of(new FieldError("/signal", why.get())));
    }
  }

  /** The listener of the signal sampler: evaluates every alarm rule on the new snapshot. */
  public synchronized void onSample(Snapshot s) {
    long now = Times.micros(clock.instant());
    if (stale || now - refreshedAt >= refreshMicros) {
      refresh(now);
    }
    boolean cluster = clusterRoleHeld.getAsBoolean();
    Set<String> seen = new HashSet<>();
    for (Rule r : rules) {
      SignalCondition c = Objects.requireNonNull(r.signal());
      boolean nodeSignal = c.signal().where() == Signal.Where.NODE;
      if (!nodeSignal && !cluster) {
        continue; // the holder of the rules role evaluates it
      }
      String stateId = stateId(r, nodeSignal);
      seen.add(r.tenant() + '\n' + stateId);
      AlarmState st = states.computeIfAbsent(r.tenant() + '\n' + stateId, k -> load(r, stateId));
      Optional<String> refusal = refusal(r.tenant(), c);
      if (refusal.isPresent() && refused.add(r.tenant() + '\n' + r.id())) {
        LOG.warn(
            "alarm rule {} of tenant {} is not evaluated: {}", r.id(), r.tenant(), refusal.get());
      }
      OptionalDouble v = s.value(c.signal(), c.dimensions());
      boolean holds = r.enabled() && refusal.isEmpty() && v.isPresent() && c.holds(v.getAsDouble());
      Double observed = v.isPresent() ? v.getAsDouble() : null;
      switch (st.observe(holds, now, c.forMicros(), r.suppressMicros())) {
        case FIRE -> fire(r, c, st, stateId, nodeSignal, observed, now);
        case RESOLVE -> resolve(r.tenant(), c, st, stateId, observed);
        case NONE -> {}
      }
    }
    // rules deleted (or turned into event rules) while firing: resolve their alerts
    for (var it = states.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, AlarmState> e = it.next();
      if (seen.contains(e.getKey())) {
        continue;
      }
      AlarmState st = e.getValue();
      String[] key = e.getKey().split("\n", 2);
      if (st.alertId != null && (cluster || key[1].contains("@"))) {
        alerts.resolveAlarm(key[0], st.alertId, json.createObjectNode().put("rule", "deleted"));
        records.delete(STATE_KIND, key[0], key[1]);
      }
      it.remove();
    }
  }

  private String stateId(Rule r, boolean nodeSignal) {
    return nodeSignal ? r.id() + "@" + Alerts.sha256Hex(nodeId).substring(0, 16) : r.id();
  }

  private void fire(
      Rule r,
      SignalCondition c,
      AlarmState st,
      String stateId,
      boolean nodeSignal,
      @Nullable Double observed,
      long now) {
    ObjectNode group = json.createObjectNode();
    new TreeMap<>(c.dimensions()).forEach(group::put);
    if (nodeSignal) {
      group.put("node", nodeId);
    }
    Evaluator.Firing f =
        new Evaluator.Firing(
            r, group, List.of(), now, "alarm:" + stateId + ":" + st.firingSince, null);
    try {
      alerts.fire(r.tenant(), f, c.describe(json, observed));
    } catch (RuntimeException e) {
      // not recorded (the writer refused or failed): try again at the next sample, same alert id
      st.suppressedUntil = 0;
      LOG.warn("alarm rule {} of tenant {} could not fire: {}", r.id(), r.tenant(), e.toString());
      return;
    }
    st.alertId = Alerts.alertId(r.tenant(), f);
    save(r.tenant(), stateId, st);
  }

  private void resolve(
      String tenant, SignalCondition c, AlarmState st, String stateId, @Nullable Double observed) {
    alerts.resolveAlarm(tenant, Objects.requireNonNull(st.alertId), c.describe(json, observed));
    st.alertId = null;
    save(tenant, stateId, st);
  }

  private void save(String tenant, String stateId, AlarmState st) {
    ObjectNode b = json.createObjectNode();
    if (st.alertId != null) {
      b.put("alert_id", st.alertId);
    }
    b.put("firing_since", st.firingSince);
    b.put("suppressed_until", st.suppressedUntil);
    b.put("suppressed", st.suppressed);
    records.putAll(
        List.of(
            RecordStore.Entry.of(
                STATE_KIND, tenant, stateId, b.toString(), Times.micros(clock.instant()))));
  }

  private AlarmState load(Rule r, String stateId) {
    AlarmState st = new AlarmState();
    records
        .get(STATE_KIND, r.tenant(), stateId)
        .ifPresent(
            e -> {
              JsonNode b = parse(e.body());
              st.alertId = b.hasNonNull("alert_id") ? b.get("alert_id").asText() : null;
              st.firingSince = b.path("firing_since").asLong(0);
              st.suppressedUntil = b.path("suppressed_until").asLong(0);
              st.suppressed = b.path("suppressed").asLong(0);
            });
    return st;
  }

  /** Reads every tenant's alarm rules in one query (they are stored with a status of their own). */
  private void refresh(long now) {
    stale = false;
    refreshedAt = now;
    List<RecordStore.Entry> found =
        records.due(RuleEngine.RULE_KIND, RULE_STATUS, Long.MAX_VALUE, MAX_ALARM_RULES + 1);
    if (found.size() > MAX_ALARM_RULES) {
      LOG.warn("more than {} alarm rules; the rest are not evaluated", MAX_ALARM_RULES);
      found = found.subList(0, MAX_ALARM_RULES);
    }
    List<Rule> out = new java.util.ArrayList<>();
    for (RecordStore.Entry e : found) {
      try {
        Rule r = RuleService.compile(json, e.tenant(), e);
        if (r.signal() != null) {
          out.add(r);
        }
      } catch (RuleProblem invalid) {
        LOG.warn(
            "stored alarm rule {} of tenant {} no longer compiles: {}",
            e.id(),
            e.tenant(),
            invalid.errors());
      }
    }
    rules = List.copyOf(out);
    if (!clusterRoleHeld.getAsBoolean()) {
      // another node evaluates the cluster alarms; read their state afresh when this node takes
      // over
      states.keySet().removeIf(k -> !k.contains("@"));
    }
  }

  /**
   * The latest values the tenant may see: its own tenant signals, and for operator tenants every
   * reading.
   */
  public ObjectNode signals(String tenant, Snapshot s) {
    boolean operator = isOperator(tenant);
    ObjectNode out = json.createObjectNode();
    out.put("sampled_at", s.atMicros() == 0 ? null : Times.formatMicros(s.atMicros()));
    out.put("node", operator ? nodeId : null);
    out.put("operator", operator);
    ArrayNode list = out.putArray("signals");
    boolean truncated = false;
    for (Snapshot.Reading r : s.readings()) {
      boolean own = tenant.equals(r.dimensions().get("tenant"));
      if (!operator && (r.signal().visibility() == Signal.Visibility.OPERATOR || !own)) {
        continue;
      }
      if (list.size() >= MAX_LISTED) {
        truncated = true; // an operator of many tenants: every value is still evaluated
        break;
      }
      ObjectNode o = list.addObject();
      o.put("name", r.signal().id());
      ObjectNode d = o.putObject("dimension");
      new TreeMap<>(r.dimensions()).forEach(d::put);
      o.put("value", r.value());
      o.put("unit", r.signal().unit());
      o.put("scope", r.signal().visibility() == Signal.Visibility.TENANT ? "tenant" : "node");
      o.put("evaluated", r.signal().where() == Signal.Where.NODE ? "per_node" : "once_per_cluster");
    }
    out.put("truncated", truncated);
    ArrayNode catalog = out.putArray("catalog");
    for (Signal sig : Signal.values()) {
      if (!operator && sig.visibility() == Signal.Visibility.OPERATOR) {
        continue;
      }
      ObjectNode o = catalog.addObject();
      o.put("name", sig.id());
      ArrayNode dims = o.putArray("dimensions");
      sig.dimensions().forEach(dims::add);
      o.put("unit", sig.unit());
      o.put("description", sig.description());
    }
    return out;
  }

  private JsonNode parse(String body) {
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("a stored alarm state is not JSON", e);
    }
  }
}
