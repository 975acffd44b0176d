package dev.vellum.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.event.FieldError;
import dev.vellum.ingest.EventTypeCatalog;
import dev.vellum.ingest.Times;
import dev.vellum.query.QueryService;
import dev.vellum.search.SearchQuery;
import dev.vellum.store.RecordStore;
import dev.vellum.store.StoredEvent;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the HTTP routes call for rules and alerts: CRUD of a tenant's rules (bounded per tenant),
 * dry runs over stored events, the built-in detection pack, and reading and acknowledging alerts.
 * Rules are records of kind {@code rule}; the engine is told of every change.
 */
public final class RuleService {
  public static final int MAX_RULES = 500;
  public static final int MAX_TEST_EVENTS = 50_000;
  public static final long MAX_TEST_RANGE_DAYS = 31;
  public static final int MAX_ALERT_PAGE = 500;
  static final String RULE_ID = "[a-z0-9][a-z0-9_-]{0,63}";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A change of one rule: {@code before} is null when it was created. */
  public record Change(String id, @Nullable ObjectNode before, ObjectNode after) {}

  /** What a dry run found. */
  public record TestRun(ObjectNode result, int eventsRead, ObjectNode filter) {}

  /** One page of alerts and the cursor of the next (null on the last). */
  public record AlertPage(ArrayNode alerts, @Nullable String nextCursor) {}

  private final RecordStore records;
  private final EventTypeCatalog catalog;
  private final QueryService queries;
  private final RuleEngine engine;
  private final ObjectMapper json;
  private final Clock clock;
  private final AlarmRules alarms;
  private final java.util.function.Supplier<dev.vellum.alarms.Snapshot> signals;

  /** A tenant has at most this many alarm rules (rules over signals), within its rule limit. */
  public static final int MAX_ALARM_RULES_PER_TENANT = 50;

  public RuleService(
      RecordStore records,
      EventTypeCatalog catalog,
      QueryService queries,
      RuleEngine engine,
      ObjectMapper json,
      Clock clock,
      AlarmRules alarms,
      java.util.function.Supplier<dev.vellum.alarms.Snapshot> signals) {
    this.records = records;
    this.catalog = catalog;
    this.queries = queries;
    this.engine = engine;
    this.json = json;
    this.clock = clock;
    this.alarms = alarms;
    this.signals = signals;
  }

  /** The latest values of the signals the tenant may watch, and the catalogue of signals. */
  public ObjectNode signals(String tenant) {
    return alarms.signals(tenant, signals.get());
  }

  private long now() {
    return Times.micros(clock.instant());
  }

  /** Compiles a stored rule record. */
  static Rule compile(ObjectMapper json, String tenant, RecordStore.Entry e) {
    JsonNode body = read(json, e.body());
    long created = Times.micros(Times.parse(body.path("created_at").asText()));
    long updated = Times.micros(Times.parse(body.path("updated_at").asText()));
    return new RuleParser(json)
        .parse(tenant, e.id(), body, body.path("revision").asLong(), created, updated);
  }

  public List<ObjectNode> list(String tenant) {
    List<ObjectNode> out = new ArrayList<>();
    for (RecordStore.Entry e : records.list(RuleEngine.RULE_KIND, tenant, null, "", MAX_RULES)) {
      out.add((ObjectNode) read(json, e.body()));
    }
    return out;
  }

  public ObjectNode get(String tenant, String id) {
    return (ObjectNode) read(json, entry(tenant, id).body());
  }

  private RecordStore.Entry entry(String tenant, String id) {
    checkId(id);
    return records
        .get(RuleEngine.RULE_KIND, tenant, id)
        .orElseThrow(() -> RuleProblem.notFound("no rule " + id));
  }

  public Change create(String tenant, JsonNode body) {
    byte[] r = new byte[8];
    RANDOM.nextBytes(r);
    return put(tenant, "rule_" + HexFormat.of().formatHex(r), body, true);
  }

  /** Creates or replaces the rule {@code id}. */
  public Change put(String tenant, String id, JsonNode body) {
    return put(tenant, id, body, false);
  }

  private Change put(String tenant, String id, JsonNode body, boolean mustBeNew) {
    checkId(id);
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<RecordStore.Entry> existing = records.get(RuleEngine.RULE_KIND, tenant, id);
      if (existing.isPresent() && mustBeNew) {
        throw new RuleProblem(RuleProblem.Kind.CONFLICT, "rule " + id + " exists", List.of());
      }
      if (existing.isEmpty() && records.count(RuleEngine.RULE_KIND, tenant, null) >= MAX_RULES) {
        throw new RuleProblem(
            RuleProblem.Kind.LIMIT,
            "a tenant has at most " + MAX_RULES + " rules; delete one first",
            List.of());
      }
      ObjectNode before = existing.map(e -> (ObjectNode) read(json, e.body())).orElse(null);
      long now = now();
      long created =
          before == null ? now : Times.micros(Times.parse(before.path("created_at").asText()));
      long revision = before == null ? 1 : before.path("revision").asLong() + 1;
      Rule rule = new RuleParser(json).parse(tenant, id, body, revision, created, now);
      checkDerive(tenant, rule);
      alarms.checkAccess(tenant, rule);
      boolean alarm = rule.signal() != null;
      if (alarm
          && !existing.map(x -> AlarmRules.RULE_STATUS.equals(x.status())).orElse(false)
          && records.count(RuleEngine.RULE_KIND, tenant, AlarmRules.RULE_STATUS)
              >= MAX_ALARM_RULES_PER_TENANT) {
        throw new RuleProblem(
            RuleProblem.Kind.LIMIT,
            "a tenant has at most " + MAX_ALARM_RULES_PER_TENANT + " alarm rules; delete one first",
            List.of());
      }
      // alarm rules carry a status and a due time so that the alarm evaluator lists every
      // tenant's in one query (RecordStore.due), without reading the event rules
      RecordStore.Entry e =
          RecordStore.Entry.of(RuleEngine.RULE_KIND, tenant, id, rule.json().toString(), now)
              .withStatus(alarm ? AlarmRules.RULE_STATUS : null, alarm ? 1 : 0);
      long expected = existing.map(RecordStore.Entry::version).orElse(RecordStore.ABSENT);
      if (records.put(e, expected) >= 0) {
        engine.rulesChanged(tenant);
        alarms.rulesChanged();
        return new Change(id, before, rule.json());
      }
    }
    throw new RuleProblem(RuleProblem.Kind.CONFLICT, "rule " + id + " keeps changing", List.of());
  }

  /** Deletes a rule; returns what it was. */
  public ObjectNode delete(String tenant, String id) {
    ObjectNode before = (ObjectNode) read(json, entry(tenant, id).body());
    records.delete(RuleEngine.RULE_KIND, tenant, id);
    engine.rulesChanged(tenant);
    alarms.rulesChanged();
    return before;
  }

  /**
   * A derived event must be one the catalogue accepts: the type must exist and a sample of the
   * event the rule would write must validate, so that a rule cannot be saved that fails later.
   */
  private void checkDerive(String tenant, Rule rule) {
    String type = rule.deriveType();
    if (type == null) {
      return;
    }
    Optional<EventTypeCatalog.TypeDef> def = catalog.find(tenant, type);
    if (def.isEmpty()) {
      throw RuleProblem.invalid(
          "the derived event type does not exist",
          List.of(new FieldError("/actions/derive/type", "no event type " + type)));
    }
    ObjectNode sample = json.createObjectNode();
    sample.put("occurred_at", Times.format(clock.instant()));
    sample.put("source", Evaluator.SYSTEM_SOURCE);
    sample.put("type", type);
    sample.putObject("actor").put("type", "user").put("id", "sample");
    sample.putArray("targets").addObject().put("type", "user").put("id", "sample");
    ObjectNode md =
        rule.deriveMetadata() == null ? json.createObjectNode() : rule.deriveMetadata().deepCopy();
    md.put("rule_id", rule.id()).put("alert_id", "alr_sample").put("derivation_depth", 1);
    md.putArray("trigger_event_ids");
    if (rule.windowMicros() > 0 && !md.has("window_seconds")) {
      md.put("window_seconds", rule.windowSeconds());
    }
    sample.set("metadata", md);
    List<FieldError> errors = new ArrayList<>();
    for (FieldError e : EventTypeCatalog.validate(def.get(), sample)) {
      String p = e.pointer().startsWith("/metadata") ? e.pointer().substring(9) : e.pointer();
      errors.add(new FieldError("/actions/derive/metadata" + p, e.detail()));
    }
    if (!errors.isEmpty()) {
      throw RuleProblem.invalid("the derived " + type + " event would not validate", errors);
    }
  }

  /**
   * Runs a rule over the tenant's stored events with {@code occurred_at} in [from, to), without
   * storing or notifying anything: what it would have fired.
   */
  public TestRun test(String tenant, JsonNode request) {
    List<FieldError> errors = new ArrayList<>();
    if (!request.isObject()) {
      throw RuleProblem.invalid(
          "expected {rule, from, to}", List.of(new FieldError("", "must be an object")));
    }
    Instant from = time(request.get("from"), "/from", errors);
    Instant to = time(request.get("to"), "/to", errors);
    if (from != null && to != null) {
      if (!from.isBefore(to)) {
        errors.add(new FieldError("/to", "must be after from"));
      } else if (to.toEpochMilli() - from.toEpochMilli() > MAX_TEST_RANGE_DAYS * 86_400_000L) {
        errors.add(new FieldError("/to", "the range is at most " + MAX_TEST_RANGE_DAYS + " days"));
      }
    }
    JsonNode ruleJson = request.get("rule");
    if (ruleJson == null || !ruleJson.isObject()) {
      errors.add(new FieldError("/rule", "is required: the rule to try"));
    }
    if (!errors.isEmpty() || from == null || to == null || ruleJson == null) {
      throw RuleProblem.invalid("the test request is not valid", errors);
    }
    Rule rule;
    long fromMicros = Times.micros(from);
    try {
      rule = new RuleParser(json).parse(tenant, "test", ruleJson, 0, fromMicros, fromMicros);
    } catch (RuleProblem p) {
      List<FieldError> nested = new ArrayList<>();
      p.errors().forEach(e -> nested.add(new FieldError("/rule" + e.pointer(), e.detail())));
      throw RuleProblem.invalid(String.valueOf(p.getMessage()), nested);
    }
    if (rule.signal() != null) {
      throw RuleProblem.invalid(
          "an alarm rule watches live signals, not stored events: it cannot be tried over a range",
          List.of(new FieldError("/rule/signal", "alarm rules have no dry run")));
    }
    return run(tenant, rule, fromMicros, Times.micros(to));
  }

  private TestRun run(String tenant, Rule rule, long fromMicros, long toMicros) {
    Evaluator ev = new Evaluator(rule, json);
    ArrayNode fired = json.createArrayNode();
    int count = 0;
    SearchQuery.Position after = null;
    boolean truncated = false;
    List<String> types = rule.types() == null ? null : List.copyOf(rule.types());
    while (true) {
      SearchQuery q =
          new SearchQuery(
              tenant,
              fromMicros,
              toMicros,
              types,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              true,
              1000,
              after);
      List<StoredEvent> page = queries.search(q).events();
      for (StoredEvent s : page) {
        if (count >= MAX_TEST_EVENTS) {
          truncated = true;
          break;
        }
        count++;
        JsonNode body = read(json, s.body());
        long received = Times.micros(Times.parse(body.path("received_at").asText()));
        Evaluator.Ev e =
            new Evaluator.Ev(
                s.seq(),
                s.id(),
                s.occurredAtMicros(),
                received,
                body.path("source").asText(),
                body);
        ev.onEvent(e).forEach(f -> addFiring(fired, f));
      }
      if (truncated || page.size() < 1000) {
        break;
      }
      StoredEvent last = page.get(page.size() - 1);
      after = new SearchQuery.Position(last.occurredAtMicros(), last.seq());
    }
    ev.onTick(toMicros).forEach(f -> addFiring(fired, f));
    ObjectNode result = json.createObjectNode();
    result.put("events_read", count);
    result.put("truncated", truncated);
    result.put("would_fire", fired.size());
    result.put("suppressed", ev.suppressedCount());
    result.set("alerts", fired);
    ObjectNode filter = json.createObjectNode();
    filter.put("from", Times.formatMicros(fromMicros)).put("to", Times.formatMicros(toMicros));
    if (types != null) {
      ArrayNode t = filter.putArray("types");
      types.forEach(t::add);
    }
    return new TestRun(result, count, filter);
  }

  private void addFiring(ArrayNode out, Evaluator.Firing f) {
    if (out.size() >= 1000) {
      return;
    }
    ObjectNode a = out.addObject();
    a.put("triggered_at", Times.formatMicros(f.atMicros()));
    a.set("group", f.group());
    ArrayNode ids = a.putArray("trigger_event_ids");
    f.triggerIds().forEach(ids::add);
    ArrayNode ch = a.putArray("would_notify");
    f.rule().channels().forEach(ch::add);
    if (f.rule().deriveType() != null) {
      a.put("would_derive", f.rule().deriveType());
    }
  }

  private static @Nullable Instant time(@Nullable JsonNode v, String at, List<FieldError> errors) {
    if (v == null || !v.isTextual()) {
      errors.add(new FieldError(at, "is required: an RFC 3339 date-time"));
      return null;
    }
    try {
      return Times.parse(v.asText());
    } catch (RuntimeException e) {
      errors.add(new FieldError(at, "must be an RFC 3339 date-time"));
      return null;
    }
  }

  /** The built-in packs: name, description and rule names. */
  public ArrayNode packs() {
    return DetectionPack.describe(json);
  }

  /**
   * Creates the pack's rules that the tenant does not have yet; existing ones are left as edited.
   */
  public List<Change> enablePack(String tenant, String name) {
    List<Change> out = new ArrayList<>();
    for (DetectionPack.PackRule r : DetectionPack.rules(json, name)) {
      if (records.get(RuleEngine.RULE_KIND, tenant, r.id()).isEmpty()) {
        out.add(put(tenant, r.id(), r.body(), true));
      }
    }
    return out;
  }

  public AlertPage alerts(
      String tenant, @Nullable String status, @Nullable String cursor, int limit) {
    String after = cursor == null ? "" : cursor;
    List<RecordStore.Entry> page =
        records.list(Alerts.KIND, tenant, status, after, Math.min(limit, MAX_ALERT_PAGE) + 1);
    ArrayNode out = json.createArrayNode();
    String next = null;
    for (int i = 0; i < page.size(); i++) {
      if (i == limit) {
        next = page.get(i - 1).id();
        break;
      }
      out.add(engine.alerts().render(page.get(i)));
    }
    return new AlertPage(out, next);
  }

  public ObjectNode alert(String tenant, String id) {
    return engine
        .alerts()
        .render(
            records
                .get(Alerts.KIND, tenant, id)
                .orElseThrow(() -> RuleProblem.notFound("no alert " + id)));
  }

  public ObjectNode acknowledge(String tenant, String id, String keyId, @Nullable String note) {
    return engine.alerts().acknowledge(tenant, id, keyId, note);
  }

  private static void checkId(String id) {
    if (!id.matches(RULE_ID)) {
      throw RuleProblem.invalid(
          "bad rule id",
          List.of(
              new FieldError(
                  "/id",
                  "rule ids are 1-64 of a-z, 0-9, '_' and '-', starting with a letter or digit")));
    }
  }

  private static JsonNode read(ObjectMapper json, String body) {
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("a stored record is not JSON", e);
    }
  }
}
