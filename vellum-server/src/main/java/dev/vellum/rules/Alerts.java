package dev.vellum.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.ingest.Times;
import dev.vellum.store.RecordStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert lifecycle, as records (kind {@code alert}) and as events in the tenant's log.
 *
 * <p>Firing is crash-safe in three steps: the record is created with compare-and-set in status
 * {@code pending_event} (a second firing of the same alert, after a replay, finds it and stops);
 * then the derived event and {@code ALERT_FIRED} are recorded under ids derived from the alert id,
 * so recording them again after a crash is a duplicate, not a second event; then the record flips
 * to {@code firing}. A record left in {@code pending_event} by a crash is finished by the timer. A
 * firing alert resolves (ALERT_RESOLVED) when its suppression period has passed.
 */
final class Alerts {
  private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);
  static final String KIND = "alert";
  static final String PENDING = "pending_event";
  static final String FIRING = "firing";
  static final String RESOLVED = "resolved";
  static final String ACKNOWLEDGED = "acknowledged";
  static final long MIN_OPEN_MICROS = 1_000_000L;

  private final RecordStore records;
  private final BiConsumer<String, ObjectNode> ingest;
  private final ObjectMapper json;
  private final Clock clock;
  private final Counter fired;
  private final Counter deriveFailures;

  Alerts(
      RecordStore records,
      BiConsumer<String, ObjectNode> ingest,
      ObjectMapper json,
      Clock clock,
      MeterRegistry m) {
    this.records = records;
    this.ingest = ingest;
    this.json = json;
    this.clock = clock;
    this.fired = Counter.builder("vellum.rules.alerts").description("alerts fired").register(m);
    this.deriveFailures =
        Counter.builder("vellum.rules.derive.failures")
            .description("derived events that did not validate and were not recorded")
            .register(m);
  }

  private long now() {
    return Times.micros(clock.instant());
  }

  /** The alert id: time-ordered by the firing's time, unique by rule, group and basis. */
  static String alertId(String tenant, Evaluator.Firing f) {
    String digest =
        sha256Hex(tenant + '\n' + f.rule().id() + '\n' + f.group() + '\n' + f.basis())
            .substring(0, 20);
    return String.format("alr_%013x_%s", Math.max(0, f.atMicros()), digest);
  }

  /**
   * Alarm alerts stay open until their condition stops holding (their evaluator resolves them), not
   * for a suppression period: 100 years, far beyond any due time the timer reads.
   */
  static final long ALARM_OPEN_MICROS = 100L * 365 * 86_400_000_000L;

  /** Records the firing as an alert, once; returns true when this call created it. */
  boolean fire(String tenant, Evaluator.Firing f) {
    return fire(tenant, f, null);
  }

  /**
   * Records an alarm's firing as an alert, once, with the signal condition and the value observed
   * ({@code signal}) in the alert and its events; returns true when this call created it.
   */
  boolean fire(String tenant, Evaluator.Firing f, @Nullable ObjectNode signal) {
    String id = alertId(tenant, f);
    Optional<RecordStore.Entry> existing = records.get(KIND, tenant, id);
    if (existing.isPresent()) {
      if (PENDING.equals(existing.get().status())) {
        finish(existing.get());
      }
      return false;
    }
    ObjectNode body = body(tenant, id, f);
    if (signal != null) {
      body.set("signal", signal);
      body.put("open_micros", ALARM_OPEN_MICROS);
    }
    RecordStore.Entry e =
        new RecordStore.Entry(KIND, tenant, id, body.toString(), PENDING, now(), 0, now());
    if (records.put(e, RecordStore.ABSENT) < 0) {
      return false;
    }
    fired.increment();
    finish(records.get(KIND, tenant, id).orElseThrow());
    return true;
  }

  private ObjectNode body(String tenant, String id, Evaluator.Firing f) {
    Rule r = f.rule();
    ObjectNode b = json.createObjectNode();
    b.put("id", id);
    b.put("rule_id", r.id());
    b.put("rule_name", r.name());
    b.put("severity", r.severity());
    b.put("description", r.description());
    ArrayNode ch = b.putArray("channels");
    r.channels().forEach(ch::add);
    b.set("group", f.group());
    if (r.windowMicros() > 0) {
      b.put("window_seconds", r.windowSeconds());
    }
    ArrayNode ids = b.putArray("trigger_event_ids");
    f.triggerIds().forEach(ids::add);
    b.put("fired_at", Times.formatMicros(now()));
    b.put("triggered_at", Times.formatMicros(f.atMicros()));
    b.put("open_micros", Math.max(MIN_OPEN_MICROS, r.suppressMicros()));
    int depth = 1;
    JsonNode last = f.lastEvent();
    if (last != null && Evaluator.SYSTEM_SOURCE.equals(last.path("source").asText())) {
      depth = last.path("metadata").path("derivation_depth").asInt(0) + 1;
    }
    b.put("derivation_depth", depth);
    if (r.deriveType() != null) {
      ObjectNode d = b.putObject("derive");
      d.put("type", r.deriveType());
      ObjectNode md =
          r.deriveMetadata() == null ? json.createObjectNode() : r.deriveMetadata().deepCopy();
      d.set("metadata", md);
      if (last != null && last.has("actor")) {
        d.set("actor", last.get("actor"));
      }
      if (last != null && last.has("targets")) {
        d.set("targets", last.get("targets"));
      }
    }
    return b;
  }

  /** Steps two and three of firing: the events, then the flip to {@code firing}. */
  void finish(RecordStore.Entry e) {
    ObjectNode b = parse(e.body());
    String tenant = e.tenant();
    String id = e.id();
    if (b.has("derive")) {
      recordDerived(tenant, b);
    }
    ObjectNode ev = alertEvent(tenant, b, "ALERT_FIRED", b.path("fired_at").asText());
    ev.put("severity", b.path("severity").asText("warning"));
    ingest.accept(tenant, ev);
    long resolveAt = now() + b.path("open_micros").asLong(MIN_OPEN_MICROS);
    b.put("status", FIRING);
    RecordStore.Entry next = e.withBody(b.toString(), now()).withStatus(FIRING, resolveAt);
    if (records.put(next, e.version()) < 0) {
      LOG.warn("alert {} of tenant {} changed while it was being fired", id, tenant);
    }
  }

  private void recordDerived(String tenant, ObjectNode b) {
    ObjectNode d = (ObjectNode) b.get("derive");
    ObjectNode ev = json.createObjectNode();
    ev.put("id", eventId(tenant, b.path("id").asText(), "DERIVED"));
    ev.put("occurred_at", b.path("fired_at").asText());
    ev.put("type", d.path("type").asText());
    ev.set(
        "actor",
        d.has("actor")
            ? d.get("actor")
            : json.createObjectNode().put("type", "system").put("id", "vellum-rules"));
    if (d.has("targets")) {
      ev.set("targets", d.get("targets"));
    }
    ObjectNode md =
        d.path("metadata").isObject()
            ? (ObjectNode) d.get("metadata").deepCopy()
            : json.createObjectNode();
    md.put("rule_id", b.path("rule_id").asText());
    md.put("alert_id", b.path("id").asText());
    md.set("trigger_event_ids", b.get("trigger_event_ids"));
    md.put("derivation_depth", b.path("derivation_depth").asInt(1));
    if (b.has("window_seconds") && !md.has("window_seconds")) {
      md.put("window_seconds", b.get("window_seconds").asLong());
    }
    ev.set("metadata", md);
    try {
      ingest.accept(tenant, ev);
      b.put("derived_event_id", ev.path("id").asText());
    } catch (IllegalStateException invalid) {
      // the rule was checked against the type when saved; a type changed since can still refuse
      deriveFailures.increment();
      b.put("derive_error", String.valueOf(invalid.getMessage()));
      LOG.warn(
          "rule {} could not derive its event: {}",
          b.path("rule_id").asText(),
          invalid.getMessage());
    }
  }

  /** An ALERT_* event for the alert {@code b}; its id is derived from the alert id and type. */
  ObjectNode alertEvent(String tenant, ObjectNode b, String type, String occurredAt) {
    ObjectNode ev = json.createObjectNode();
    ev.put("id", eventId(tenant, b.path("id").asText(), type));
    ev.put("occurred_at", occurredAt);
    ev.put("type", type);
    ev.put("outcome", "success");
    ev.putObject("actor").put("type", "system").put("id", "vellum-rules");
    ev.putArray("targets").addObject().put("type", "rule").put("id", b.path("rule_id").asText());
    ObjectNode md = ev.putObject("metadata");
    md.put("alert_id", b.path("id").asText());
    md.put("rule_id", b.path("rule_id").asText());
    md.put("rule_name", b.path("rule_name").asText());
    md.put("alert_severity", b.path("severity").asText());
    md.put("description", b.path("description").asText());
    md.set("channels", b.get("channels"));
    if (b.has("signal")) {
      md.set("signal", b.get("signal"));
    }
    if (type.equals("ALERT_FIRED")) {
      md.set("trigger_event_ids", b.get("trigger_event_ids"));
      md.set("group", b.get("group"));
      if (b.has("window_seconds")) {
        md.put("window_seconds", b.get("window_seconds").asLong());
      }
    }
    md.put("derivation_depth", b.path("derivation_depth").asInt(1));
    return ev;
  }

  /** Finishes alerts a crash left pending, and resolves those whose time is up. */
  void tick() {
    long now = now();
    for (RecordStore.Entry e : records.due(KIND, PENDING, now - 2_000_000L, 100)) {
      finish(e);
    }
    for (String status : List.of(FIRING, ACKNOWLEDGED)) {
      for (RecordStore.Entry e : records.due(KIND, status, now, 100)) {
        resolve(e);
      }
    }
  }

  /**
   * Resolves an alarm's alert now, because its condition stopped holding; {@code signal} is the
   * condition with the value observed. An alert left pending by a crash is finished first. Answers
   * false when the alert is not open (already resolved, or unknown).
   */
  boolean resolveAlarm(String tenant, String id, ObjectNode signal) {
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<RecordStore.Entry> found = records.get(KIND, tenant, id);
      if (found.isEmpty()) {
        return false;
      }
      RecordStore.Entry e = found.get();
      if (PENDING.equals(e.status())) {
        finish(e);
        continue;
      }
      if (!FIRING.equals(e.status()) && !ACKNOWLEDGED.equals(e.status())) {
        return false;
      }
      ObjectNode b = parse(e.body());
      b.set("signal", signal);
      if (resolve(e.withBody(b.toString(), e.updatedAtMicros()).withStatus(e.status(), now()))) {
        return true;
      }
    }
    return false;
  }

  private boolean resolve(RecordStore.Entry e) {
    ObjectNode b = parse(e.body());
    String at = Times.formatMicros(e.dueMicros());
    ingest.accept(e.tenant(), alertEvent(e.tenant(), b, "ALERT_RESOLVED", at));
    b.put("status", RESOLVED);
    b.put("resolved_at", at);
    return records.put(e.withBody(b.toString(), now()).withStatus(RESOLVED, 0), e.version()) >= 0;
  }

  /** Acknowledges a firing alert; acknowledging twice is answered with the alert as it is. */
  ObjectNode acknowledge(String tenant, String id, String keyId, @Nullable String note) {
    for (int attempt = 0; attempt < 5; attempt++) {
      RecordStore.Entry e =
          records.get(KIND, tenant, id).orElseThrow(() -> RuleProblem.notFound("no alert " + id));
      ObjectNode b = parse(e.body());
      if (!FIRING.equals(e.status())) {
        if (ACKNOWLEDGED.equals(e.status())) {
          return render(e);
        }
        throw new RuleProblem(
            RuleProblem.Kind.CONFLICT,
            "alert " + id + " is " + e.status() + ", not firing",
            List.of());
      }
      String at = Times.formatMicros(now());
      ObjectNode ev = alertEvent(tenant, b, "ALERT_ACKNOWLEDGED", at);
      ev.put("id", UUID.randomUUID().toString());
      ev.putObject("actor").put("type", "api_key").put("id", keyId);
      ObjectNode md = (ObjectNode) ev.get("metadata");
      md.put("key_id", keyId);
      if (note != null) {
        md.put("note", note);
      }
      b.put("status", ACKNOWLEDGED);
      b.put("acknowledged_at", at);
      b.put("acknowledged_by", keyId);
      if (note != null) {
        b.put("note", note);
      }
      RecordStore.Entry next =
          e.withBody(b.toString(), now()).withStatus(ACKNOWLEDGED, e.dueMicros());
      if (records.put(next, e.version()) >= 0) {
        ingest.accept(tenant, ev);
        return render(records.get(KIND, tenant, id).orElseThrow());
      }
    }
    throw new RuleProblem(RuleProblem.Kind.CONFLICT, "alert " + id + " keeps changing", List.of());
  }

  ObjectNode render(RecordStore.Entry e) {
    ObjectNode b = parse(e.body());
    b.put("status", PENDING.equals(e.status()) ? FIRING : String.valueOf(e.status()));
    b.remove("open_micros");
    b.remove("derive");
    return b;
  }

  private ObjectNode parse(String body) {
    try {
      return (ObjectNode) json.readTree(body);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("stored alert is not JSON", e);
    }
  }

  static String eventId(String tenant, String alertId, String what) {
    return UUID.nameUUIDFromBytes(
            (tenant + '\n' + alertId + '\n' + what).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  static String sha256Hex(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always present", e);
    }
  }
}
