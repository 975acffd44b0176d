package dev.vellum.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One validated rule of a tenant. {@code json} is the stored form (what the API returns); the other
 * members are its compiled parts. {@code revision} changes on every write, so the engine can tell
 * that a rule changed and start its windows afresh.
 */
record Rule(
    String tenant,
    String id,
    long revision,
    long updatedAtMicros,
    String name,
    String description,
    String severity,
    boolean enabled,
    Pattern pattern,
    Kind kind,
    List<String> groupBy,
    int count,
    @Nullable String distinct,
    long windowMicros,
    @Nullable Pattern then,
    List<String> thenGroupBy,
    @Nullable String field,
    List<String> channels,
    @Nullable String deriveType,
    @Nullable ObjectNode deriveMetadata,
    long suppressMicros,
    @Nullable SignalCondition signal,
    ObjectNode json) {

  /** What makes the rule fire. */
  enum Kind {
    /** Every matching event (subject to suppression). */
    MATCH,
    /** {@code count} matching events (or distinct values of a field) within the window. */
    THRESHOLD,
    /** No matching event within the window; evaluated on a timer. */
    ABSENCE,
    /** An event matching {@code pattern}, then one matching {@code then} by the same group. */
    SEQUENCE,
    /** A value of {@code field} never seen before for the group (after at least one was). */
    NEW_VALUE,
    /** An alarm over one of Vellum's own signals; matches no event ({@link AlarmRules}). */
    SIGNAL
  }

  /** The event types the rule can match, for the engine's index; null for any type. */
  @Nullable Set<String> types() {
    Set<String> first = pattern.types();
    if (then == null || first == null) {
      return then == null ? first : null;
    }
    Set<String> second = then.types();
    if (second == null) {
      return null;
    }
    Set<String> all = new java.util.LinkedHashSet<>(first);
    all.addAll(second);
    return all;
  }

  long windowSeconds() {
    return windowMicros / 1_000_000L;
  }

  /**
   * The value at a dotted path of the event ({@code actor.id}); arrays give their first element.
   */
  static @Nullable JsonNode at(JsonNode event, String dotted) {
    JsonNode cur = event;
    int from = 0;
    while (cur != null) {
      if (cur.isArray()) {
        cur = cur.isEmpty() ? null : cur.get(0);
        continue;
      }
      if (from > dotted.length()) {
        return cur;
      }
      int dot = dotted.indexOf('.', from);
      String name = dot < 0 ? dotted.substring(from) : dotted.substring(from, dot);
      cur = cur.isObject() ? cur.get(name) : null;
      from = dot < 0 ? dotted.length() + 1 : dot + 1;
    }
    return null;
  }
}
