package dev.vellum.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.core.event.FieldError;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A compiled event pattern in Amazon EventBridge's syntax, matched against the canonical event JSON
 * as stored (snake_case, with {@code tenant}, {@code seq}, {@code received_at}).
 *
 * <p>Semantics, as EventBridge documents them ("Content filtering in Amazon EventBridge event
 * patterns", "Comparison operators for use in event patterns"): the fields of a pattern object are
 * ANDed; a field's value is either a nested pattern object or an array of conditions that are ORed;
 * a condition is an exact value (string, number, boolean or null) or an operator object ({@code
 * prefix}, {@code suffix}, {@code anything-but}, {@code numeric}, {@code exists}, {@code wildcard},
 * {@code equals-ignore-case}, {@code cidr}); {@code $or} holds alternative patterns. When the
 * event's value is an array, the condition matches if any element matches. Every condition except
 * {@code exists: false} needs the field to be present.
 *
 * <p>Patterns are bounded (depth, number of conditions, length of strings) so that a tenant cannot
 * store a pattern that is expensive to evaluate on every event.
 */
final class Pattern {
  static final int MAX_DEPTH = 8;
  static final int MAX_CONDITIONS = 300;
  static final int MAX_STRING = 256;
  static final int MAX_OR_BRANCHES = 20;

  private final Obj root;

  private Pattern(Obj root) {
    this.root = root;
  }

  /** Compiles {@code json}; problems are reported with JSON pointers under {@code base}. */
  static Pattern compile(JsonNode json, String base) {
    Compiler c = new Compiler();
    Obj root = c.object(json, base, 0);
    if (!c.errors.isEmpty()) {
      throw RuleProblem.invalid("the event pattern is not valid", c.errors);
    }
    return new Pattern(root);
  }

  /** The pattern of alarm rules: it matches no event and names no type, so no event reaches it. */
  static Pattern none() {
    return new Pattern(new Obj(List.of(new Field("type", null, List.of())), List.of()));
  }

  boolean matches(JsonNode event) {
    return root.matches(event);
  }

  /**
   * The event types this pattern can match, when its top-level {@code type} field is a list of
   * exact strings (so the engine tests it only on those types); null when it may match any type.
   */
  @Nullable Set<String> types() {
    if (!root.ors.isEmpty()) {
      return null;
    }
    for (Field f : root.fields) {
      if (f.name.equals("type") && f.conditions != null) {
        Set<String> out = new LinkedHashSet<>();
        for (Condition c : f.conditions) {
          if (!(c instanceof Exact e) || !e.value.isTextual()) {
            return null;
          }
          out.add(e.value.asText());
        }
        return out;
      }
    }
    return null;
  }

  /** A pattern object: fields ANDed, and each {@code $or} group needs one matching branch. */
  private record Obj(List<Field> fields, List<List<Obj>> ors) {
    boolean matches(@Nullable JsonNode node) {
      for (Field f : fields) {
        JsonNode v = node != null && node.isObject() ? node.get(f.name) : null;
        if (!f.matches(v)) {
          return false;
        }
      }
      for (List<Obj> branches : ors) {
        boolean any = false;
        for (Obj b : branches) {
          if (b.matches(node)) {
            any = true;
            break;
          }
        }
        if (!any) {
          return false;
        }
      }
      return true;
    }
  }

  /** One field: either a nested object or a list of ORed conditions. */
  private record Field(String name, @Nullable Obj nested, @Nullable List<Condition> conditions) {
    boolean matches(@Nullable JsonNode v) {
      if (nested != null) {
        if (v != null && v.isArray()) {
          for (JsonNode e : v) {
            if (nested.matches(e)) {
              return true;
            }
          }
          return v.isEmpty() && nested.matches(null);
        }
        return nested.matches(v);
      }
      List<Condition> cs = java.util.Objects.requireNonNull(conditions);
      boolean present = v != null && !v.isMissingNode() && !v.isObject();
      for (Condition c : cs) {
        if (c instanceof Exists x) {
          if (x.exists == present) {
            return true;
          }
          continue;
        }
        if (!present || v == null) {
          continue;
        }
        if (v.isArray()) {
          for (JsonNode e : v) {
            if (!e.isContainerNode() && c.test(e)) {
              return true;
            }
          }
        } else if (c.test(v)) {
          return true;
        }
      }
      return false;
    }
  }

  /** A leaf condition on one scalar value. */
  private interface Condition {
    boolean test(JsonNode value);
  }

  private record Exact(JsonNode value) implements Condition {
    @Override
    public boolean test(JsonNode v) {
      return sameValue(value, v);
    }
  }

  private record Exists(boolean exists) implements Condition {
    @Override
    public boolean test(JsonNode v) {
      return exists;
    }
  }

  /** prefix, suffix, equals-ignore-case and wildcard on strings. */
  private record Text(String op, String operand, boolean ignoreCase, @Nullable Wildcard wildcard)
      implements Condition {
    @Override
    public boolean test(JsonNode v) {
      if (!v.isTextual()) {
        return false;
      }
      String s = v.asText();
      return switch (op) {
        case "prefix" -> s.regionMatches(ignoreCase, 0, operand, 0, operand.length());
        case "suffix" ->
            s.length() >= operand.length()
                && s.regionMatches(
                    ignoreCase, s.length() - operand.length(), operand, 0, operand.length());
        case "equals-ignore-case" -> s.equalsIgnoreCase(operand);
        default -> java.util.Objects.requireNonNull(wildcard).matches(s);
      };
    }
  }

  /** anything-but: matches a present value that none of {@code excluded} matches. */
  private record AnythingBut(List<Condition> excluded) implements Condition {
    @Override
    public boolean test(JsonNode v) {
      for (Condition c : excluded) {
        if (c.test(v)) {
          return false;
        }
      }
      return true;
    }
  }

  private record Numeric(
      @Nullable BigDecimal lower,
      boolean lowerInclusive,
      @Nullable BigDecimal upper,
      boolean upperInclusive)
      implements Condition {
    @Override
    public boolean test(JsonNode v) {
      if (!v.isNumber()) {
        return false;
      }
      BigDecimal x = v.decimalValue();
      if (lower != null) {
        int c = x.compareTo(lower);
        if (c < 0 || (c == 0 && !lowerInclusive)) {
          return false;
        }
      }
      if (upper != null) {
        int c = x.compareTo(upper);
        return c < 0 || (c == 0 && upperInclusive);
      }
      return true;
    }
  }

  private record Cidr(byte[] network, int prefixBits) implements Condition {
    @Override
    public boolean test(JsonNode v) {
      byte[] ip = v.isTextual() ? IpLiteral.parse(v.asText()) : null;
      if (ip == null || ip.length != network.length) {
        return false;
      }
      return IpLiteral.samePrefix(ip, network, prefixBits);
    }
  }

  static boolean sameValue(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isTextual() && b.isTextual()) {
      return a.asText().equals(b.asText());
    }
    if (a.isBoolean() && b.isBoolean()) {
      return a.asBoolean() == b.asBoolean();
    }
    return a.isNull() && b.isNull();
  }

  /** Builds the pattern tree, collecting every problem with its pointer. */
  private static final class Compiler {
    final List<FieldError> errors = new ArrayList<>();
    int conditions;

    Obj object(JsonNode json, String at, int depth) {
      List<Field> fields = new ArrayList<>();
      List<List<Obj>> ors = new ArrayList<>();
      if (!json.isObject()) {
        errors.add(new FieldError(at, "must be a JSON object of field names to conditions"));
        return new Obj(fields, ors);
      }
      if (depth >= MAX_DEPTH) {
        errors.add(new FieldError(at, "nests too deep: at most " + MAX_DEPTH + " levels"));
        return new Obj(fields, ors);
      }
      if (json.isEmpty() && depth > 0) {
        errors.add(new FieldError(at, "must name at least one field"));
      }
      Iterator<Map.Entry<String, JsonNode>> it = json.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String name = e.getKey();
        String p = at + "/" + escape(name);
        if (name.length() > MAX_STRING) {
          errors.add(new FieldError(p, "field names are at most " + MAX_STRING + " characters"));
          continue;
        }
        JsonNode v = e.getValue();
        if (name.equals("$or")) {
          ors.add(orBranches(v, p, depth));
        } else if (v.isObject()) {
          fields.add(new Field(name, object(v, p, depth + 1), null));
        } else if (v.isArray()) {
          fields.add(new Field(name, null, conditions(v, p)));
        } else {
          errors.add(
              new FieldError(p, "must be an array of conditions (e.g. [\"value\"]) or an object"));
        }
      }
      return new Obj(fields, ors);
    }

    List<Obj> orBranches(JsonNode v, String at, int depth) {
      List<Obj> out = new ArrayList<>();
      if (!v.isArray() || v.size() < 2 || v.size() > MAX_OR_BRANCHES) {
        errors.add(
            new FieldError(
                at, "$or must be an array of 2.." + MAX_OR_BRANCHES + " pattern objects"));
        return out;
      }
      for (int i = 0; i < v.size(); i++) {
        out.add(object(v.get(i), at + "/" + i, depth + 1));
      }
      return out;
    }

    List<Condition> conditions(JsonNode array, String at) {
      List<Condition> out = new ArrayList<>();
      if (array.isEmpty()) {
        errors.add(new FieldError(at, "must hold at least one condition"));
      }
      for (int i = 0; i < array.size(); i++) {
        String p = at + "/" + i;
        if (++conditions > MAX_CONDITIONS) {
          errors.add(new FieldError(p, "a pattern holds at most " + MAX_CONDITIONS + " values"));
          return out;
        }
        Condition c = condition(array.get(i), p);
        if (c != null) {
          out.add(c);
        }
      }
      return out;
    }

    @Nullable Condition condition(JsonNode v, String at) {
      if (v.isTextual() || v.isNumber() || v.isBoolean() || v.isNull()) {
        return exactValue(v, at);
      }
      if (v.isArray()) {
        errors.add(new FieldError(at, "a condition cannot be an array"));
        return null;
      }
      if (v.size() != 1) {
        errors.add(new FieldError(at, "an operator object holds exactly one operator"));
        return null;
      }
      Map.Entry<String, JsonNode> op = v.fields().next();
      String p = at + "/" + escape(op.getKey());
      JsonNode arg = op.getValue();
      return switch (op.getKey()) {
        case "prefix", "suffix" -> affix(op.getKey(), arg, p);
        case "equals-ignore-case" -> text("equals-ignore-case", arg, p, true);
        case "wildcard" -> wildcard(arg, p);
        case "anything-but" -> anythingBut(arg, p);
        case "numeric" -> numeric(arg, p);
        case "exists" -> {
          if (!arg.isBoolean()) {
            errors.add(new FieldError(p, "exists takes true or false"));
            yield null;
          }
          yield new Exists(arg.asBoolean());
        }
        case "cidr" -> cidr(arg, p);
        default -> {
          errors.add(
              new FieldError(
                  at + "/" + escape(op.getKey()),
                  "unknown operator; known: prefix, suffix, anything-but, numeric, exists,"
                      + " wildcard, equals-ignore-case, cidr"));
          yield null;
        }
      };
    }

    @Nullable Condition exactValue(JsonNode v, String at) {
      if (v.isTextual() && v.asText().length() > MAX_STRING) {
        errors.add(new FieldError(at, "values are at most " + MAX_STRING + " characters"));
        return null;
      }
      return new Exact(v);
    }

    @Nullable Condition affix(String op, JsonNode arg, String at) {
      if (arg.isObject()) {
        JsonNode eic = arg.get("equals-ignore-case");
        if (arg.size() != 1 || eic == null) {
          errors.add(new FieldError(at, op + " takes a string or {\"equals-ignore-case\": …}"));
          return null;
        }
        return text(op, eic, at + "/equals-ignore-case", true);
      }
      return text(op, arg, at, false);
    }

    @Nullable Condition text(String op, JsonNode arg, String at, boolean ignoreCase) {
      if (!arg.isTextual() || arg.asText().length() > MAX_STRING) {
        errors.add(new FieldError(at, op + " takes a string of at most " + MAX_STRING + " chars"));
        return null;
      }
      return new Text(op, arg.asText(), ignoreCase, null);
    }

    @Nullable Condition wildcard(JsonNode arg, String at) {
      if (!arg.isTextual() || arg.asText().length() > MAX_STRING) {
        errors.add(new FieldError(at, "wildcard takes a string of at most " + MAX_STRING));
        return null;
      }
      try {
        return new Text("wildcard", arg.asText(), false, Wildcard.compile(arg.asText()));
      } catch (IllegalArgumentException e) {
        errors.add(new FieldError(at, String.valueOf(e.getMessage())));
        return null;
      }
    }

    @Nullable Condition anythingBut(JsonNode arg, String at) {
      List<Condition> excluded = new ArrayList<>();
      if (arg.isTextual() || arg.isNumber()) {
        Condition c = exactValue(arg, at);
        return c == null ? null : new AnythingBut(List.of(c));
      }
      if (arg.isArray()) {
        if (arg.isEmpty() || arg.size() > MAX_CONDITIONS) {
          errors.add(new FieldError(at, "anything-but takes 1.." + MAX_CONDITIONS + " values"));
          return null;
        }
        for (int i = 0; i < arg.size(); i++) {
          JsonNode x = arg.get(i);
          if (!x.isTextual() && !x.isNumber()) {
            errors.add(new FieldError(at + "/" + i, "anything-but lists strings or numbers"));
            continue;
          }
          conditions++;
          Condition c = exactValue(x, at + "/" + i);
          if (c != null) {
            excluded.add(c);
          }
        }
        return new AnythingBut(excluded);
      }
      if (arg.isObject() && arg.size() == 1) {
        Map.Entry<String, JsonNode> op = arg.fields().next();
        String p = at + "/" + escape(op.getKey());
        JsonNode inner = op.getValue();
        List<JsonNode> values = new ArrayList<>();
        if (inner.isArray() && !op.getKey().equals("prefix") && !op.getKey().equals("suffix")) {
          inner.forEach(values::add);
        } else {
          values.add(inner);
        }
        for (JsonNode x : values) {
          Condition c =
              switch (op.getKey()) {
                case "prefix", "suffix" -> text(op.getKey(), x, p, false);
                case "equals-ignore-case" -> text("equals-ignore-case", x, p, true);
                case "wildcard" -> wildcard(x, p);
                default -> {
                  errors.add(
                      new FieldError(
                          p,
                          "anything-but takes values, or one of prefix, suffix,"
                              + " equals-ignore-case, wildcard"));
                  yield null;
                }
              };
          if (c != null) {
            excluded.add(c);
          }
        }
        return new AnythingBut(excluded);
      }
      errors.add(
          new FieldError(
              at, "anything-but takes a value, a list of values, or one operator object"));
      return null;
    }

    @Nullable Condition numeric(JsonNode arg, String at) {
      if (!arg.isArray() || (arg.size() != 2 && arg.size() != 4)) {
        errors.add(new FieldError(at, "numeric takes [op, number] or [op, number, op, number]"));
        return null;
      }
      BigDecimal lower = null;
      BigDecimal upper = null;
      boolean lowerIn = false;
      boolean upperIn = false;
      for (int i = 0; i < arg.size(); i += 2) {
        JsonNode op = arg.get(i);
        JsonNode n = arg.get(i + 1);
        if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
          errors.add(new FieldError(at + "/" + (i + 1), "must be a finite number"));
          return null;
        }
        String o = op.isTextual() ? op.asText() : "";
        switch (o) {
          case ">", ">=" -> {
            if (lower != null || upper != null) {
              errors.add(new FieldError(at + "/" + i, "the lower bound comes first, once"));
              return null;
            }
            lower = n.decimalValue();
            lowerIn = o.equals(">=");
          }
          case "<", "<=" -> {
            if (upper != null) {
              errors.add(new FieldError(at + "/" + i, "at most one upper bound"));
              return null;
            }
            upper = n.decimalValue();
            upperIn = o.equals("<=");
          }
          case "=" -> {
            if (arg.size() != 2) {
              errors.add(new FieldError(at + "/" + i, "\"=\" stands alone"));
              return null;
            }
            lower = n.decimalValue();
            upper = lower;
            lowerIn = true;
            upperIn = true;
          }
          default -> {
            errors.add(new FieldError(at + "/" + i, "must be one of <, <=, =, >=, >"));
            return null;
          }
        }
      }
      if (lower != null && upper != null && lower.compareTo(upper) > 0) {
        errors.add(new FieldError(at, "the lower bound is above the upper bound"));
        return null;
      }
      return new Numeric(lower, lowerIn, upper, upperIn);
    }

    @Nullable Condition cidr(JsonNode arg, String at) {
      String s = arg.isTextual() ? arg.asText() : "";
      int slash = s.indexOf('/');
      byte[] net = slash > 0 ? IpLiteral.parse(s.substring(0, slash)) : null;
      int bits = -1;
      if (net != null) {
        try {
          bits = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
          bits = -1;
        }
      }
      if (net == null || bits < 0 || bits > net.length * 8) {
        errors.add(new FieldError(at, "cidr takes an IPv4 or IPv6 block such as 10.0.0.0/24"));
        return null;
      }
      return new Cidr(net, bits);
    }
  }

  /** RFC 6901 escaping of one reference token. */
  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
