package dev.vellum.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random events against seeded random simple patterns, compared with a naive evaluator that
 * flattens the event into path → values and tests each condition by the plain words of the
 * EventBridge documentation. Disagreement prints the seed, pattern and event.
 */
class PatternPropertyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] TYPES = {"LOGIN_FAILED", "LOGIN_SUCCESSFUL", "ROLE_ASSIGNED"};
  private static final String[] SOURCES = {"APP", "APPX", "BILLING", "VELLUM"};
  private static final String[] ACTORS = {"alice", "alina", "bob", "Bob", "admin-1"};
  private static final String[] PATHS = {"type", "source", "actor.id", "metadata.n", "tags"};

  /** One condition: op and operand, as the naive evaluator understands it. */
  record Cond(String op, JsonNode arg) {}

  @Test
  void compiledPatternsAgreeWithTheNaiveEvaluator() {
    long seed = 20261130L;
    Random r = new Random(seed);
    int agreed = 0;
    for (int p = 0; p < 300; p++) {
      Map<String, List<Cond>> conditions = new HashMap<>();
      ObjectNode pattern = randomPattern(r, conditions);
      Pattern compiled = Pattern.compile(pattern, "");
      for (int e = 0; e < 50; e++) {
        ObjectNode event = randomEvent(r);
        boolean expected = naive(conditions, event);
        assertEquals(
            expected,
            compiled.matches(event),
            "seed " + seed + " pattern " + pattern + " event " + event);
        agreed++;
      }
    }
    assertEquals(15_000, agreed);
  }

  private static ObjectNode randomEvent(Random r) {
    ObjectNode e = JSON.createObjectNode();
    e.put("type", TYPES[r.nextInt(TYPES.length)]);
    e.put("source", SOURCES[r.nextInt(SOURCES.length)]);
    if (r.nextInt(5) > 0) {
      e.putObject("actor").put("id", ACTORS[r.nextInt(ACTORS.length)]);
    }
    if (r.nextBoolean()) {
      e.putObject("metadata").put("n", r.nextInt(20) - 5);
    }
    if (r.nextBoolean()) {
      ArrayNode tags = e.putArray("tags");
      for (int i = r.nextInt(3); i >= 0; i--) {
        tags.add(ACTORS[r.nextInt(ACTORS.length)]);
      }
    }
    return e;
  }

  private static ObjectNode randomPattern(Random r, Map<String, List<Cond>> conditions) {
    ObjectNode pattern = JSON.createObjectNode();
    int fields = 1 + r.nextInt(3);
    for (int f = 0; f < fields; f++) {
      String path = PATHS[r.nextInt(PATHS.length)];
      if (conditions.containsKey(path)) {
        continue;
      }
      ArrayNode arr = JSON.createArrayNode();
      List<Cond> cs = new ArrayList<>();
      for (int i = 0; i <= r.nextInt(2); i++) {
        Cond c = randomCondition(r, path);
        cs.add(c);
        arr.add(render(c));
      }
      conditions.put(path, cs);
      String[] parts = path.split("\\.");
      ObjectNode at = pattern;
      for (int i = 0; i < parts.length - 1; i++) {
        at = at.has(parts[i]) ? (ObjectNode) at.get(parts[i]) : at.putObject(parts[i]);
      }
      at.set(parts[parts.length - 1], arr);
    }
    return pattern;
  }

  private static Cond randomCondition(Random r, String path) {
    boolean numeric = path.equals("metadata.n");
    String text = pick(r, path);
    return switch (r.nextInt(6)) {
      case 0 ->
          new Cond(
              "exact",
              numeric
                  ? JSON.getNodeFactory().numberNode(r.nextInt(10))
                  : JSON.getNodeFactory().textNode(text));
      case 1 ->
          new Cond(
              "prefix",
              JSON.getNodeFactory().textNode(text.substring(0, 1 + r.nextInt(text.length()))));
      case 2 ->
          new Cond(
              "anything-but",
              numeric
                  ? JSON.getNodeFactory().numberNode(r.nextInt(10))
                  : JSON.getNodeFactory().textNode(text));
      case 3 -> new Cond("exists", JSON.getNodeFactory().booleanNode(r.nextBoolean()));
      case 4 -> new Cond("numeric", JSON.getNodeFactory().numberNode(r.nextInt(10)));
      default ->
          new Cond(
              "equals-ignore-case",
              JSON.getNodeFactory().textNode(text.toUpperCase(java.util.Locale.ROOT)));
    };
  }

  private static String pick(Random r, String path) {
    return switch (path) {
      case "type" -> TYPES[r.nextInt(TYPES.length)];
      case "source" -> SOURCES[r.nextInt(SOURCES.length)];
      case "metadata.n" -> String.valueOf(r.nextInt(10));
      default -> ACTORS[r.nextInt(ACTORS.length)];
    };
  }

  private static JsonNode render(Cond c) {
    return switch (c.op()) {
      case "exact" -> c.arg();
      case "numeric" ->
          JSON.createObjectNode().set("numeric", JSON.createArrayNode().add(">=").add(c.arg()));
      default -> JSON.createObjectNode().set(c.op(), c.arg());
    };
  }

  /** The naive reading: every field's list has one condition true of some value at the path. */
  private static boolean naive(Map<String, List<Cond>> conditions, JsonNode event) {
    for (Map.Entry<String, List<Cond>> f : conditions.entrySet()) {
      List<JsonNode> values = new ArrayList<>();
      JsonNode v = event;
      for (String part : f.getKey().split("\\.")) {
        v = v == null ? null : v.get(part);
      }
      if (v != null && v.isArray()) {
        v.forEach(values::add);
      } else if (v != null) {
        values.add(v);
      }
      boolean any = false;
      for (Cond c : f.getValue()) {
        if (c.op().equals("exists")) {
          any |= c.arg().asBoolean() == !values.isEmpty();
          continue;
        }
        for (JsonNode x : values) {
          any |= holds(c, x);
        }
      }
      if (!any) {
        return false;
      }
    }
    return true;
  }

  private static boolean holds(Cond c, JsonNode x) {
    String a = c.arg().asText();
    return switch (c.op()) {
      case "exact" ->
          c.arg().isNumber()
              ? x.isNumber() && x.asDouble() == c.arg().asDouble()
              : x.isTextual() && x.asText().equals(a);
      case "prefix" -> x.isTextual() && x.asText().startsWith(a);
      case "anything-but" ->
          c.arg().isNumber()
              ? !(x.isNumber() && x.asDouble() == c.arg().asDouble())
              : !(x.isTextual() && x.asText().equals(a));
      case "numeric" -> x.isNumber() && x.asDouble() >= c.arg().asDouble();
      default -> x.isTextual() && x.asText().equalsIgnoreCase(a);
    };
  }
}
