package dev.vellum.rules;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One rule with its window state: what it has seen, per group, and until when it is suppressed.
 * Feeding it the same events in the same order gives the same firings, which is what lets the
 * engine replay events after a restart without firing twice (the alert ids repeat, the store
 * refuses the second).
 *
 * <p>Windows run on the events' own times ({@code occurred_at}), so a replay is deterministic;
 * absence runs on {@code received_at} and the wall clock, since it is about time passing without
 * events. All state is bounded: at most the {@link StateBudget}'s share of groups (least recently
 * active dropped first) and of remembered events per rule, never more than {@link #MAX_GROUPS} and
 * {@link #MAX_HITS}. A group is its key's values and what it remembers, allocated only as needed:
 * with thousands of groups per rule the per-group overhead is most of the engine's memory.
 */
final class Evaluator {
  static final int MAX_GROUPS = 4000;
  static final int MAX_HITS = 8000;
  static final int MAX_SEQUENCE_STARTS = 20;
  static final int MAX_VALUES = 20;
  static final int MAX_TRIGGER_IDS = 100;

  /** Events the rules engine wrote more than this many derivations deep are not evaluated. */
  static final int MAX_DERIVATION_DEPTH = 3;

  static final String SYSTEM_SOURCE = "VELLUM";

  /** One event as the evaluator sees it: the stored body and the facts the store indexed. */
  record Ev(
      long seq,
      String id,
      long occurredMicros,
      long receivedMicros,
      String source,
      JsonNode body) {}

  /** A remembered matching event. */
  record Hit(long at, String id, @Nullable String value) {}

  static final class Group {
    /** The values at the rule's {@code group_by} paths, in order; also its key in the map. */
    final List<String> key;

    private @Nullable ArrayDeque<Hit> hits;
    private @Nullable Set<String> values;
    long suppressedUntil;
    long lastSeen;

    Group(List<String> key) {
      this.key = key;
    }

    ArrayDeque<Hit> hits() {
      if (hits == null) {
        hits = new ArrayDeque<>(4);
      }
      return hits;
    }

    int hitCount() {
      return hits == null ? 0 : hits.size();
    }

    Set<String> values() {
      if (values == null) {
        values = new LinkedHashSet<>(4);
      }
      return values;
    }
  }

  /** The rule fired: one alert. {@code basis} makes its id unique and repeatable. */
  record Firing(
      Rule rule,
      ObjectNode group,
      List<String> triggerIds,
      long atMicros,
      String basis,
      @Nullable JsonNode lastEvent) {}

  final Rule rule;
  private final ObjectMapper json;
  private final StateBudget budget;
  private final Map<List<String>, Group> groups = new LinkedHashMap<>(16, 0.75f, true);
  private int hitCount;
  private long suppressed;
  boolean dirty;

  /** A rule evaluated on its own (a rule test, a detection's unit test): the per-rule maximum. */
  Evaluator(Rule rule, ObjectMapper json) {
    this(rule, json, StateBudget.forOneRule());
  }

  Evaluator(Rule rule, ObjectMapper json, StateBudget budget) {
    this.rule = rule;
    this.json = json;
    this.budget = budget;
    if (rule.kind() == Rule.Kind.ABSENCE && rule.groupBy().isEmpty()) {
      group(List.of()).lastSeen = rule.updatedAtMicros();
    }
  }

  long suppressedCount() {
    return suppressed;
  }

  /** Whether the rule may look at this event at all: never its own output, nor deep chains. */
  boolean applies(Ev ev) {
    if (!rule.enabled()) {
      return false;
    }
    if (!SYSTEM_SOURCE.equals(ev.source())) {
      return true;
    }
    JsonNode md = ev.body().path("metadata");
    if (rule.id().equals(md.path("rule_id").asText(null))) {
      return false;
    }
    return md.path("derivation_depth").asInt(0) < MAX_DERIVATION_DEPTH;
  }

  List<Firing> onEvent(Ev ev) {
    if (!applies(ev)) {
      return List.of();
    }
    JsonNode body = ev.body();
    List<Firing> out = new ArrayList<>(1);
    switch (rule.kind()) {
      case MATCH -> {
        if (rule.pattern().matches(body)) {
          Group g = groupOf(body);
          fire(
              g,
              rule.groupBy(),
              List.of(ev.id()),
              ev.occurredMicros(),
              "seq:" + ev.seq(),
              body,
              out);
        }
      }
      case THRESHOLD -> threshold(ev, out);
      case ABSENCE -> {
        if (rule.pattern().matches(body)) {
          Group g = groupOf(body);
          g.lastSeen = Math.max(g.lastSeen, ev.receivedMicros());
          dirty = true;
        }
      }
      case SEQUENCE -> sequence(ev, out);
      case NEW_VALUE -> newValue(ev, out);
      case SIGNAL -> {} // alarm rules watch signals, not events (AlarmRules)
    }
    return out;
  }

  private void threshold(Ev ev, List<Firing> out) {
    JsonNode body = ev.body();
    if (!rule.pattern().matches(body)) {
      return;
    }
    Group g = groupOf(body);
    ArrayDeque<Hit> hits = g.hits();
    long at = ev.occurredMicros();
    String value = null;
    if (rule.distinct() != null) {
      JsonNode v = Rule.at(body, rule.distinct());
      if (v == null || v.isContainerNode()) {
        return;
      }
      value = v.asText();
      for (Iterator<Hit> it = hits.iterator(); it.hasNext(); ) {
        if (value.equals(it.next().value())) {
          it.remove();
          hitCount--;
        }
      }
    }
    while (!hits.isEmpty() && hits.peekFirst().at() < at - rule.windowMicros()) {
      hits.removeFirst();
      hitCount--;
    }
    hits.addLast(new Hit(at, ev.id(), value));
    hitCount++;
    while (hits.size() > RuleParser.MAX_COUNT) {
      hits.removeFirst();
      hitCount--;
    }
    dirty = true;
    if (hits.size() >= rule.count()) {
      List<String> ids = new ArrayList<>();
      for (Hit h : hits) {
        ids.add(h.id());
      }
      if (fire(g, rule.groupBy(), lastOf(ids), at, "seq:" + ev.seq(), body, out)) {
        hitCount -= hits.size();
        hits.clear();
      }
    }
    bound();
  }

  private void sequence(Ev ev, List<Firing> out) {
    JsonNode body = ev.body();
    long at = ev.occurredMicros();
    if (java.util.Objects.requireNonNull(rule.then()).matches(body)) {
      List<String> key = keyOf(body, rule.thenGroupBy());
      Group g = groups.get(key);
      if (g != null && g.hitCount() > 0) {
        for (Iterator<Hit> it = g.hits().iterator(); it.hasNext(); ) {
          Hit h = it.next();
          if (h.at() <= at && at - h.at() <= rule.windowMicros() && !h.id().equals(ev.id())) {
            it.remove();
            hitCount--;
            dirty = true;
            Group target = new Group(key);
            target.suppressedUntil = g.suppressedUntil;
            List<String> ids = List.of(h.id(), ev.id());
            if (fire(target, rule.thenGroupBy(), ids, at, "seq:" + ev.seq(), body, out)) {
              g.suppressedUntil = target.suppressedUntil;
            }
            break;
          }
        }
      }
    }
    if (rule.pattern().matches(body)) {
      ArrayDeque<Hit> hits = groupOf(body).hits();
      hits.addLast(new Hit(at, ev.id(), null));
      hitCount++;
      if (hits.size() > MAX_SEQUENCE_STARTS) {
        hits.removeFirst();
        hitCount--;
      }
      dirty = true;
      bound();
    }
  }

  private void newValue(Ev ev, List<Firing> out) {
    JsonNode body = ev.body();
    if (!rule.pattern().matches(body)) {
      return;
    }
    JsonNode v = Rule.at(body, java.util.Objects.requireNonNull(rule.field()));
    if (v == null || v.isContainerNode() || v.asText().isEmpty()) {
      return;
    }
    String value = v.asText();
    Group g = groupOf(body);
    Set<String> values = g.values();
    if (values.contains(value)) {
      return;
    }
    boolean seenOthers = !values.isEmpty();
    values.add(value);
    if (values.size() > MAX_VALUES) {
      Iterator<String> it = values.iterator();
      it.next();
      it.remove();
    }
    dirty = true;
    if (seenOthers) {
      fire(g, rule.groupBy(), List.of(ev.id()), ev.occurredMicros(), "seq:" + ev.seq(), body, out);
    }
    bound();
  }

  /** The timer's turn: absence rules fire for groups quiet for a whole window. */
  List<Firing> onTick(long nowMicros) {
    if (rule.kind() != Rule.Kind.ABSENCE || !rule.enabled()) {
      return List.of();
    }
    List<Firing> out = new ArrayList<>();
    for (Group g : new ArrayList<>(groups.values())) {
      long due = g.lastSeen + rule.windowMicros();
      if (g.lastSeen > 0 && nowMicros >= due) {
        g.lastSeen = due; // re-armed: quiet for another window fires again
        dirty = true;
        fire(g, rule.groupBy(), List.of(), due, "absence:" + due, null, out);
      }
    }
    return out;
  }

  /** Fires unless suppressed; {@code paths} name the key's values in the alert's group. */
  private boolean fire(
      Group g,
      List<String> paths,
      List<String> ids,
      long at,
      String basis,
      @Nullable JsonNode last,
      List<Firing> out) {
    if (at < g.suppressedUntil) {
      suppressed++;
      return false;
    }
    g.suppressedUntil = at + rule.suppressMicros();
    dirty = true;
    out.add(new Firing(rule, keyNode(paths, g.key), List.copyOf(ids), at, basis, last));
    return true;
  }

  private static List<String> lastOf(List<String> ids) {
    return ids.size() <= MAX_TRIGGER_IDS
        ? ids
        : ids.subList(ids.size() - MAX_TRIGGER_IDS, ids.size());
  }

  private Group groupOf(JsonNode body) {
    return group(keyOf(body, rule.groupBy()));
  }

  private Group group(List<String> key) {
    Group g = groups.get(key);
    if (g == null) {
      g = new Group(key);
      groups.put(key, g);
      bound();
    }
    return g;
  }

  /**
   * The group's identity: its values only, so a sequence can join different paths. A missing or
   * non-scalar value counts as empty.
   */
  private static List<String> keyOf(JsonNode body, List<String> paths) {
    String[] values = new String[paths.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode v = Rule.at(body, paths.get(i));
      values[i] = v == null || v.isContainerNode() ? "" : v.asText();
    }
    return Arrays.asList(values);
  }

  /** The group as alerts show it (and as its alert id is derived): path to value, in order. */
  private ObjectNode keyNode(List<String> paths, List<String> key) {
    ObjectNode node = json.createObjectNode();
    for (int i = 0; i < paths.size() && i < key.size(); i++) {
      node.put(paths.get(i), key.get(i));
    }
    return node;
  }

  /** Drops the least recently active groups while over this rule's share of the budget. */
  private void bound() {
    int maxGroups = budget.groupsPerRule();
    int maxHits = budget.hitsPerRule();
    int dropped = 0;
    Iterator<Group> it = groups.values().iterator();
    while ((groups.size() > maxGroups || hitCount > maxHits) && it.hasNext()) {
      hitCount -= it.next().hitCount();
      it.remove();
      dropped++;
    }
    if (dropped > 0) {
      budget.evicted(dropped);
    }
  }

  /** The state as JSON text, for the engine's snapshots; streamed, as it may be large. */
  String snapshot() {
    StringWriter out = new StringWriter();
    try (JsonGenerator gen = json.getFactory().createGenerator(out)) {
      gen.writeStartObject();
      gen.writeNumberField("revision", rule.revision());
      gen.writeNumberField("suppressed", suppressed);
      gen.writeArrayFieldStart("groups");
      for (Group g : groups.values()) {
        writeGroup(gen, g);
      }
      gen.writeEndArray();
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private void writeGroup(JsonGenerator gen, Group g) throws IOException {
    gen.writeStartObject();
    gen.writeObjectFieldStart("key");
    for (int i = 0; i < rule.groupBy().size() && i < g.key.size(); i++) {
      gen.writeStringField(rule.groupBy().get(i), g.key.get(i));
    }
    gen.writeEndObject();
    gen.writeNumberField("suppressed_until", g.suppressedUntil);
    gen.writeNumberField("last_seen", g.lastSeen);
    gen.writeArrayFieldStart("hits");
    ArrayDeque<Hit> hits = g.hits;
    if (hits != null) {
      for (Hit h : hits) {
        gen.writeStartArray();
        gen.writeNumber(h.at());
        gen.writeString(h.id());
        if (h.value() != null) {
          gen.writeString(h.value());
        }
        gen.writeEndArray();
      }
    }
    gen.writeEndArray();
    gen.writeArrayFieldStart("values");
    Set<String> values = g.values;
    if (values != null) {
      for (String v : values) {
        gen.writeString(v);
      }
    }
    gen.writeEndArray();
    gen.writeEndObject();
  }

  /** Restores a snapshot taken of the same rule revision; another revision is ignored. */
  void restore(JsonNode o) {
    if (o.path("revision").asLong(-1) != rule.revision()) {
      return;
    }
    groups.clear();
    hitCount = 0;
    suppressed = o.path("suppressed").asLong(0);
    for (JsonNode x : o.path("groups")) {
      List<String> key = new ArrayList<>();
      x.path("key").forEach(v -> key.add(v.asText()));
      Group g = new Group(key);
      g.suppressedUntil = x.path("suppressed_until").asLong(0);
      g.lastSeen = x.path("last_seen").asLong(0);
      for (JsonNode h : x.path("hits")) {
        g.hits()
            .add(
                new Hit(
                    h.path(0).asLong(), h.path(1).asText(), h.has(2) ? h.get(2).asText() : null));
      }
      hitCount += g.hitCount();
      x.path("values").forEach(v -> g.values().add(v.asText()));
      groups.put(key, g);
    }
    bound();
  }

  /** Drops the older half of the groups, when a snapshot would not fit in one record. */
  void shed() {
    int drop = groups.size() / 2 + 1;
    Iterator<Group> it = groups.values().iterator();
    while (drop-- > 0 && it.hasNext()) {
      hitCount -= it.next().hitCount();
      it.remove();
    }
  }
}
