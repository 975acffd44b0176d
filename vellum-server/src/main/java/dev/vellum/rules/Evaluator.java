package dev.vellum.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One rule with its window state: what it has seen, per group, and until when it is suppressed.
 * Feeding it the same events in the same order gives the same firings, which is what lets the
 * engine replay events after a restart without firing twice (the alert ids repeat, the store
 * refuses the second).
 *
 * <p>Windows run on the events' own times ({@code occurred_at}), so a replay is deterministic;
 * absence runs on {@code received_at} and the wall clock, since it is about time passing without
 * events. All state is bounded: at most {@link #MAX_GROUPS} groups (least recently active dropped
 * first) and {@link #MAX_HITS} remembered events per rule.
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
    final ObjectNode key;
    final ArrayDeque<Hit> hits = new ArrayDeque<>();
    final LinkedHashSet<String> values = new LinkedHashSet<>();
    long suppressedUntil;
    long lastSeen;

    Group(ObjectNode key) {
      this.key = key;
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
  private final Map<String, Group> groups = new LinkedHashMap<>(16, 0.75f, true);
  private int hitCount;
  private long suppressed;
  boolean dirty;

  Evaluator(Rule rule, ObjectMapper json) {
    this.rule = rule;
    this.json = json;
    if (rule.kind() == Rule.Kind.ABSENCE && rule.groupBy().isEmpty()) {
      group("", json.createObjectNode()).lastSeen = rule.updatedAtMicros();
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
          Group g = groupOf(body, rule.groupBy());
          fire(g, List.of(ev.id()), ev.occurredMicros(), "seq:" + ev.seq(), body, out);
        }
      }
      case THRESHOLD -> threshold(ev, out);
      case ABSENCE -> {
        if (rule.pattern().matches(body)) {
          Group g = groupOf(body, rule.groupBy());
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
    Group g = groupOf(body, rule.groupBy());
    long at = ev.occurredMicros();
    String value = null;
    if (rule.distinct() != null) {
      JsonNode v = Rule.at(body, rule.distinct());
      if (v == null || v.isContainerNode()) {
        return;
      }
      value = v.asText();
      for (Iterator<Hit> it = g.hits.iterator(); it.hasNext(); ) {
        if (value.equals(it.next().value())) {
          it.remove();
          hitCount--;
        }
      }
    }
    while (!g.hits.isEmpty() && g.hits.peekFirst().at() < at - rule.windowMicros()) {
      g.hits.removeFirst();
      hitCount--;
    }
    g.hits.addLast(new Hit(at, ev.id(), value));
    hitCount++;
    while (g.hits.size() > RuleParser.MAX_COUNT) {
      g.hits.removeFirst();
      hitCount--;
    }
    dirty = true;
    if (g.hits.size() >= rule.count()) {
      List<String> ids = new ArrayList<>();
      for (Hit h : g.hits) {
        ids.add(h.id());
      }
      if (fire(g, lastOf(ids), at, "seq:" + ev.seq(), body, out)) {
        hitCount -= g.hits.size();
        g.hits.clear();
      }
    }
    bound();
  }

  private void sequence(Ev ev, List<Firing> out) {
    JsonNode body = ev.body();
    long at = ev.occurredMicros();
    if (java.util.Objects.requireNonNull(rule.then()).matches(body)) {
      ObjectNode key = keyOf(body, rule.thenGroupBy());
      Group g = groups.get(keyText(key));
      if (g != null) {
        for (Iterator<Hit> it = g.hits.iterator(); it.hasNext(); ) {
          Hit h = it.next();
          if (h.at() <= at && at - h.at() <= rule.windowMicros() && !h.id().equals(ev.id())) {
            it.remove();
            hitCount--;
            dirty = true;
            Group target = new Group(key);
            target.suppressedUntil = g.suppressedUntil;
            if (fire(target, List.of(h.id(), ev.id()), at, "seq:" + ev.seq(), body, out)) {
              g.suppressedUntil = target.suppressedUntil;
            }
            break;
          }
        }
      }
    }
    if (rule.pattern().matches(body)) {
      Group g = groupOf(body, rule.groupBy());
      g.hits.addLast(new Hit(at, ev.id(), null));
      hitCount++;
      if (g.hits.size() > MAX_SEQUENCE_STARTS) {
        g.hits.removeFirst();
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
    Group g = groupOf(body, rule.groupBy());
    if (g.values.contains(value)) {
      return;
    }
    boolean seenOthers = !g.values.isEmpty();
    g.values.add(value);
    if (g.values.size() > MAX_VALUES) {
      Iterator<String> it = g.values.iterator();
      it.next();
      it.remove();
    }
    dirty = true;
    if (seenOthers) {
      fire(g, List.of(ev.id()), ev.occurredMicros(), "seq:" + ev.seq(), body, out);
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
        fire(g, List.of(), due, "absence:" + due, null, out);
      }
    }
    return out;
  }

  private boolean fire(
      Group g, List<String> ids, long at, String basis, @Nullable JsonNode last, List<Firing> out) {
    if (at < g.suppressedUntil) {
      suppressed++;
      return false;
    }
    g.suppressedUntil = at + rule.suppressMicros();
    dirty = true;
    out.add(new Firing(rule, g.key, List.copyOf(ids), at, basis, last));
    return true;
  }

  private static List<String> lastOf(List<String> ids) {
    return ids.size() <= MAX_TRIGGER_IDS
        ? ids
        : ids.subList(ids.size() - MAX_TRIGGER_IDS, ids.size());
  }

  private Group groupOf(JsonNode body, List<String> paths) {
    ObjectNode key = keyOf(body, paths);
    return group(keyText(key), key);
  }

  private Group group(String k, ObjectNode key) {
    Group g = groups.get(k);
    if (g == null) {
      g = new Group(key);
      groups.put(k, g);
      bound();
    }
    return g;
  }

  private ObjectNode keyOf(JsonNode body, List<String> paths) {
    ObjectNode key = json.createObjectNode();
    for (String p : paths) {
      JsonNode v = Rule.at(body, p);
      key.put(p, v == null || v.isContainerNode() ? "" : v.asText());
    }
    return key;
  }

  /** The group's identity: its values only, so a sequence can join different paths. */
  private static String keyText(ObjectNode key) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode v : key) {
      sb.append(v.asText()).append('\u001f');
    }
    return sb.toString();
  }

  /** Drops the least recently active groups while over the bounds. */
  private void bound() {
    Iterator<Group> it = groups.values().iterator();
    while ((groups.size() > MAX_GROUPS || hitCount > MAX_HITS) && it.hasNext()) {
      Group g = it.next();
      hitCount -= g.hits.size();
      it.remove();
    }
  }

  /** The state as JSON, for the engine's snapshots. */
  ObjectNode snapshot() {
    ObjectNode o = json.createObjectNode();
    o.put("revision", rule.revision());
    o.put("suppressed", suppressed);
    ArrayNode gs = o.putArray("groups");
    for (Group g : groups.values()) {
      ObjectNode x = gs.addObject();
      x.set("key", g.key);
      x.put("suppressed_until", g.suppressedUntil);
      x.put("last_seen", g.lastSeen);
      ArrayNode hs = x.putArray("hits");
      for (Hit h : g.hits) {
        ArrayNode a = hs.addArray().add(h.at()).add(h.id());
        if (h.value() != null) {
          a.add(h.value());
        }
      }
      ArrayNode vs = x.putArray("values");
      g.values.forEach(vs::add);
    }
    return o;
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
      ObjectNode key =
          x.path("key").isObject() ? (ObjectNode) x.get("key") : json.createObjectNode();
      Group g = new Group(key);
      g.suppressedUntil = x.path("suppressed_until").asLong(0);
      g.lastSeen = x.path("last_seen").asLong(0);
      for (JsonNode h : x.path("hits")) {
        g.hits.add(
            new Hit(h.path(0).asLong(), h.path(1).asText(), h.has(2) ? h.get(2).asText() : null));
      }
      hitCount += g.hits.size();
      x.path("values").forEach(v -> g.values.add(v.asText()));
      groups.put(keyText(key), g);
    }
    bound();
  }

  /** Drops the older half of the groups, when a snapshot would not fit in one record. */
  void shed() {
    int drop = groups.size() / 2 + 1;
    Iterator<Group> it = groups.values().iterator();
    while (drop-- > 0 && it.hasNext()) {
      hitCount -= it.next().hits.size();
      it.remove();
    }
  }
}
