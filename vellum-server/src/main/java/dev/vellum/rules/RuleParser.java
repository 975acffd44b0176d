package dev.vellum.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.event.FieldError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks a rule as a client wrote it and compiles it, reporting every problem with the JSON pointer
 * of the bad part. Every size, count and duration is bounded here, before anything is stored.
 */
final class RuleParser {
  static final int MAX_NAME = 128;
  static final int MAX_DESCRIPTION = 2000;
  static final int MAX_CHANNELS = 32;
  static final int MAX_GROUP_BY = 4;
  static final int MAX_COUNT = 1000;
  static final long MAX_WINDOW_SECONDS = 30L * 24 * 3600;
  static final int MAX_PATTERN_CHARS = 16 * 1024;
  static final int MAX_DERIVE_METADATA_CHARS = 4096;
  static final Set<String> SEVERITIES = Set.of("info", "notice", "warning", "error", "critical");
  static final String CHANNEL_ID = "[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}";
  static final String FIELD_PATH = "[a-z_][a-z0-9_]{0,63}(\\.[a-z_][a-z0-9_]{0,63}){0,5}";
  static final String TYPE_NAME = "[A-Z][A-Z0-9_]{0,127}";

  private static final Set<String> MEMBERS =
      Set.of(
          "id",
          "name",
          "description",
          "severity",
          "enabled",
          "pattern",
          "group_by",
          "threshold",
          "absence",
          "sequence",
          "new_value",
          "actions",
          "suppress_seconds",
          "signal",
          "pack",
          "created_at",
          "updated_at",
          "revision");

  private final ObjectMapper json;
  private final List<FieldError> errors = new ArrayList<>();

  RuleParser(ObjectMapper json) {
    this.json = json;
  }

  /**
   * Parses {@code body} into a rule; {@code json} of the result is the stored form with the
   * server's members ({@code id}, times, {@code revision}) set from the arguments.
   */
  Rule parse(String tenant, String id, JsonNode body, long revision, long createdAt, long now) {
    if (!body.isObject()) {
      throw RuleProblem.invalid(
          "a rule is a JSON object", List.of(new FieldError("", "must be a JSON object")));
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!MEMBERS.contains(name)) {
        errors.add(new FieldError("/" + Pattern.escape(name), "unknown member"));
      }
    }
    String name = text(body, "name", MAX_NAME, true);
    String description = text(body, "description", MAX_DESCRIPTION, false);
    String severity = text(body, "severity", 16, false);
    if (severity == null) {
      severity = "warning";
    } else if (!SEVERITIES.contains(severity)) {
      errors.add(
          new FieldError("/severity", "must be one of " + new java.util.TreeSet<>(SEVERITIES)));
    }
    boolean enabled = bool(body, "enabled", true);
    boolean alarm = body.hasNonNull("signal");
    SignalCondition signal = alarm ? signal(tenant, body) : null;
    Pattern pattern = alarm ? Pattern.none() : pattern(body.get("pattern"), "/pattern");
    List<String> groupBy = paths(body.get("group_by"), "/group_by");
    long suppress = seconds(body.get("suppress_seconds"), "/suppress_seconds", 0, 300);
    Kinded k = alarm ? new Kinded(Rule.Kind.SIGNAL, 0, null, 0, null, List.of(), null) : kind(body);
    Actions a = actions(body.get("actions"));
    if (body.has("pack") && !body.get("pack").isTextual()) {
      errors.add(new FieldError("/pack", "must be a string"));
    }
    if (!errors.isEmpty() || pattern == null || (alarm && signal == null)) {
      throw RuleProblem.invalid("the rule is not valid", errors);
    }
    ObjectNode stored = body.deepCopy();
    stored.put("id", id);
    stored.put("severity", severity);
    stored.put("enabled", enabled);
    stored.put("suppress_seconds", suppress / 1_000_000L);
    stored.put("created_at", dev.vellum.ingest.Times.formatMicros(createdAt));
    stored.put("updated_at", dev.vellum.ingest.Times.formatMicros(now));
    stored.put("revision", revision);
    return new Rule(
        tenant,
        id,
        revision,
        now,
        java.util.Objects.requireNonNull(name),
        description == null ? "" : description,
        severity,
        enabled,
        pattern,
        k.kind,
        groupBy,
        k.count,
        k.distinct,
        k.window,
        k.then,
        k.thenGroupBy.isEmpty() ? groupBy : k.thenGroupBy,
        k.field,
        a.channels,
        a.deriveType,
        a.deriveMetadata,
        suppress,
        signal,
        stored);
  }

  static final long MAX_FOR_SECONDS = 7L * 24 * 3600;
  static final double MAX_SIGNAL_VALUE = 1e18;
  static final String DIMENSION_VALUE = "[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}";

  /**
   * The {@code signal} member of an alarm rule. An alarm rule watches a signal instead of events,
   * so the members about events are refused beside it.
   */
  private @Nullable SignalCondition signal(String tenant, JsonNode body) {
    for (String k :
        List.of("pattern", "group_by", "threshold", "absence", "sequence", "new_value")) {
      if (body.hasNonNull(k)) {
        errors.add(new FieldError("/" + k, "an alarm rule (with signal) has no " + k));
      }
    }
    JsonNode v = body.get("signal");
    if (!v.isObject()) {
      errors.add(new FieldError("/signal", "must be {name, dimension?, op, value, for?}"));
      return null;
    }
    allow(v, "/signal", Set.of("name", "dimension", "op", "value", "for"));
    JsonNode n = v.get("name");
    dev.vellum.alarms.Signal signal = null;
    if (n == null || !n.isTextual()) {
      errors.add(new FieldError("/signal/name", "is required: the name of a signal"));
    } else {
      signal = dev.vellum.alarms.Signal.byId(n.asText()).orElse(null);
      if (signal == null) {
        List<String> known = new ArrayList<>();
        for (dev.vellum.alarms.Signal s : dev.vellum.alarms.Signal.values()) {
          known.add(s.id());
        }
        errors.add(new FieldError("/signal/name", "unknown signal; known signals: " + known));
      }
    }
    java.util.Map<String, String> dims = new java.util.TreeMap<>();
    JsonNode d = v.get("dimension");
    if (d != null && !d.isNull()) {
      if (!d.isObject()) {
        errors.add(new FieldError("/signal/dimension", "must be an object of names to values"));
      } else {
        for (Iterator<java.util.Map.Entry<String, JsonNode>> it = d.fields(); it.hasNext(); ) {
          java.util.Map.Entry<String, JsonNode> e = it.next();
          String at = "/signal/dimension/" + Pattern.escape(e.getKey());
          if (signal != null && !signal.dimensions().contains(e.getKey())) {
            errors.add(
                new FieldError(
                    at,
                    "signal "
                        + signal.id()
                        + " has no dimension "
                        + e.getKey()
                        + (signal.dimensions().isEmpty()
                            ? "; it has none"
                            : "; it has " + signal.dimensions())));
          } else if (!e.getValue().isTextual() || !e.getValue().asText().matches(DIMENSION_VALUE)) {
            errors.add(new FieldError(at, "must be a string of 1-128 letters, digits, '_.:@-'"));
          } else {
            dims.put(e.getKey(), e.getValue().asText());
          }
        }
      }
    }
    if (signal != null) {
      for (String dim : signal.dimensions()) {
        if (dim.equals("tenant")) {
          dims.putIfAbsent("tenant", tenant);
        } else if (!dims.containsKey(dim)) {
          errors.add(
              new FieldError("/signal/dimension/" + dim, "is required for signal " + signal.id()));
        }
      }
    }
    SignalCondition.Op op = null;
    JsonNode o = v.get("op");
    try {
      if (o == null || !o.isTextual()) {
        throw new IllegalArgumentException("missing");
      }
      op = SignalCondition.Op.of(o.asText());
    } catch (IllegalArgumentException e) {
      errors.add(new FieldError("/signal/op", "must be one of >, >=, <, <=, ==, !="));
    }
    JsonNode x = v.get("value");
    double value = 0;
    if (x == null
        || !x.isNumber()
        || !Double.isFinite(x.asDouble())
        || Math.abs(x.asDouble()) > MAX_SIGNAL_VALUE) {
      errors.add(new FieldError("/signal/value", "must be a number between -1e18 and 1e18"));
    } else {
      value = x.asDouble();
    }
    long forMicros = duration(v.get("for"), "/signal/for");
    if (signal == null || op == null) {
      return null;
    }
    return new SignalCondition(signal, dims, op, value, forMicros);
  }

  /** A duration as {@code "90s"}, {@code "5m"}, {@code "1h"} or whole seconds; 0 when absent. */
  private long duration(@Nullable JsonNode v, String at) {
    if (v == null || v.isNull()) {
      return 0;
    }
    long seconds = -1;
    if (v.isIntegralNumber()) {
      seconds = v.asLong();
    } else if (v.isTextual() && v.asText().matches("[0-9]{1,7}[smh]")) {
      String t = v.asText();
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      seconds =
          n
              * switch (t.charAt(t.length() - 1)) {
                case 'm' -> 60;
                case 'h' -> 3600;
                default -> 1;
              };
    }
    if (seconds < 0 || seconds > MAX_FOR_SECONDS) {
      errors.add(
          new FieldError(
              at, "must be a duration such as \"60s\", \"5m\" or \"1h\", at most 7 days"));
      return 0;
    }
    return seconds * 1_000_000L;
  }

  private record Kinded(
      Rule.Kind kind,
      int count,
      @Nullable String distinct,
      long window,
      @Nullable Pattern then,
      List<String> thenGroupBy,
      @Nullable String field) {}

  private Kinded kind(JsonNode body) {
    List<String> present = new ArrayList<>();
    for (String k : List.of("threshold", "absence", "sequence", "new_value")) {
      if (body.hasNonNull(k)) {
        present.add(k);
      }
    }
    Kinded none = new Kinded(Rule.Kind.MATCH, 0, null, 0, null, List.of(), null);
    if (present.size() > 1) {
      errors.add(
          new FieldError(
              "/" + present.get(1), "a rule has at most one of threshold, absence, sequence"));
      return none;
    }
    if (present.isEmpty()) {
      return none;
    }
    String k = present.get(0);
    JsonNode v = body.get(k);
    String at = "/" + k;
    if (!v.isObject()) {
      errors.add(new FieldError(at, "must be an object"));
      return none;
    }
    allow(v, at, Set.of("count", "distinct", "window_seconds", "then", "then_group_by", "field"));
    switch (k) {
      case "threshold" -> {
        int count = (int) integer(v.get("count"), at + "/count", 1, MAX_COUNT, -1);
        String distinct =
            v.hasNonNull("distinct") ? path(v.get("distinct"), at + "/distinct") : null;
        long window = seconds(v.get("window_seconds"), at + "/window_seconds", 1, -1);
        return new Kinded(Rule.Kind.THRESHOLD, count, distinct, window, null, List.of(), null);
      }
      case "absence" -> {
        long window = seconds(v.get("window_seconds"), at + "/window_seconds", 1, -1);
        return new Kinded(Rule.Kind.ABSENCE, 0, null, window, null, List.of(), null);
      }
      case "sequence" -> {
        long window = seconds(v.get("window_seconds"), at + "/window_seconds", 1, -1);
        Pattern then = pattern(v.get("then"), at + "/then");
        List<String> thenGroupBy = paths(v.get("then_group_by"), at + "/then_group_by");
        return new Kinded(Rule.Kind.SEQUENCE, 0, null, window, then, thenGroupBy, null);
      }
      default -> {
        String field = path(v.get("field"), at + "/field");
        return new Kinded(Rule.Kind.NEW_VALUE, 0, null, 0, null, List.of(), field);
      }
    }
  }

  private record Actions(
      List<String> channels, @Nullable String deriveType, @Nullable ObjectNode deriveMetadata) {}

  private Actions actions(@Nullable JsonNode v) {
    if (v == null || v.isNull()) {
      return new Actions(List.of(), null, null);
    }
    if (!v.isObject()) {
      errors.add(new FieldError("/actions", "must be an object with notify and/or derive"));
      return new Actions(List.of(), null, null);
    }
    allow(v, "/actions", Set.of("notify", "derive"));
    List<String> channels = new ArrayList<>();
    JsonNode n = v.get("notify");
    if (n != null && !n.isNull()) {
      if (!n.isArray() || n.size() > MAX_CHANNELS) {
        errors.add(new FieldError("/actions/notify", "must be an array of at most 32 channel ids"));
      } else {
        for (int i = 0; i < n.size(); i++) {
          JsonNode c = n.get(i);
          if (!c.isTextual() || !c.asText().matches(CHANNEL_ID)) {
            errors.add(
                new FieldError(
                    "/actions/notify/" + i,
                    "must be a channel id: letters, digits, '_', '.', ':', '-', at most 128"));
          } else if (!channels.contains(c.asText())) {
            channels.add(c.asText());
          }
        }
      }
    }
    JsonNode d = v.get("derive");
    if (d == null || d.isNull()) {
      return new Actions(List.copyOf(channels), null, null);
    }
    if (!d.isObject()) {
      errors.add(new FieldError("/actions/derive", "must be {\"type\": …, \"metadata\": {…}}"));
      return new Actions(List.copyOf(channels), null, null);
    }
    allow(d, "/actions/derive", Set.of("type", "metadata"));
    JsonNode t = d.get("type");
    String type = null;
    if (t == null || !t.isTextual() || !t.asText().matches(TYPE_NAME)) {
      errors.add(new FieldError("/actions/derive/type", "must be an event type name"));
    } else {
      type = t.asText();
    }
    ObjectNode md = null;
    JsonNode m = d.get("metadata");
    if (m != null && !m.isNull()) {
      if (!m.isObject() || m.toString().length() > MAX_DERIVE_METADATA_CHARS) {
        errors.add(
            new FieldError(
                "/actions/derive/metadata",
                "must be an object of at most " + MAX_DERIVE_METADATA_CHARS + " characters"));
      } else {
        md = (ObjectNode) m;
      }
    }
    return new Actions(List.copyOf(channels), type, md);
  }

  private @Nullable Pattern pattern(@Nullable JsonNode v, String at) {
    if (v == null || v.isNull()) {
      errors.add(new FieldError(at, "is required: an event pattern"));
      return null;
    }
    if (v.toString().length() > MAX_PATTERN_CHARS) {
      errors.add(new FieldError(at, "is longer than " + MAX_PATTERN_CHARS + " characters"));
      return null;
    }
    if (!v.isObject() || v.isEmpty()) {
      errors.add(new FieldError(at, "must be a non-empty JSON object"));
      return null;
    }
    try {
      return Pattern.compile(v, at);
    } catch (RuleProblem p) {
      errors.addAll(p.errors());
      return null;
    }
  }

  private List<String> paths(@Nullable JsonNode v, String at) {
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray() || v.size() > MAX_GROUP_BY) {
      errors.add(
          new FieldError(at, "must be an array of at most " + MAX_GROUP_BY + " field paths"));
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      String p = path(v.get(i), at + "/" + i);
      if (p != null) {
        out.add(p);
      }
    }
    return List.copyOf(out);
  }

  private @Nullable String path(@Nullable JsonNode v, String at) {
    if (v == null || !v.isTextual() || !v.asText().matches(FIELD_PATH)) {
      errors.add(new FieldError(at, "must be a field path such as actor.id or metadata.system"));
      return null;
    }
    return v.asText();
  }

  private void allow(JsonNode obj, String at, Set<String> names) {
    for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
      String n = it.next();
      if (!names.contains(n)) {
        errors.add(new FieldError(at + "/" + Pattern.escape(n), "unknown member"));
      }
    }
  }

  private @Nullable String text(JsonNode body, String field, int max, boolean required) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        errors.add(new FieldError("/" + field, "is required"));
      }
      return null;
    }
    if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > max) {
      errors.add(new FieldError("/" + field, "must be a non-blank string of at most " + max));
      return null;
    }
    return v.asText();
  }

  private boolean bool(JsonNode body, String field, boolean dflt) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      errors.add(new FieldError("/" + field, "must be true or false"));
      return dflt;
    }
    return v.asBoolean();
  }

  /** Seconds in [min, 30 days] as microseconds; {@code dflt} < 0 means required. */
  private long seconds(@Nullable JsonNode v, String at, long min, long dflt) {
    return integer(v, at, min, MAX_WINDOW_SECONDS, dflt) * 1_000_000L;
  }

  private long integer(@Nullable JsonNode v, String at, long min, long max, long dflt) {
    if (v == null || v.isNull()) {
      if (dflt < 0) {
        errors.add(new FieldError(at, "is required"));
        return min;
      }
      return dflt;
    }
    if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
      errors.add(new FieldError(at, "must be an integer in " + min + ".." + max));
      return min;
    }
    return v.asLong();
  }

  /** A fresh array node, for callers building rule JSON. */
  ArrayNode array() {
    return json.createArrayNode();
  }
}
