package dev.vellum.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.alarms.Signal;
import java.util.Map;
import java.util.TreeMap;

/**
 * The condition of an alarm rule: a signal's value for given dimensions compared with a threshold,
 * which must hold at every sample for {@code forMicros} before the rule fires. {@code dimensions}
 * holds every dimension of the signal (a tenant signal's {@code tenant} defaults to the rule's
 * tenant).
 */
record SignalCondition(
    Signal signal, Map<String, String> dimensions, Op op, double value, long forMicros) {

  SignalCondition {
    dimensions = Map.copyOf(dimensions);
  }

  /** The comparison, as written in rules. */
  enum Op {
    GT(">"),
    GE(">="),
    LT("<"),
    LE("<="),
    EQ("=="),
    NE("!=");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    static Op of(String symbol) {
      for (Op o : values()) {
        if (o.symbol.equals(symbol)) {
          return o;
        }
      }
      throw new IllegalArgumentException("unknown operator " + symbol);
    }

    boolean test(double observed, double threshold) {
      return switch (this) {
        case GT -> observed > threshold;
        case GE -> observed >= threshold;
        case LT -> observed < threshold;
        case LE -> observed <= threshold;
        case EQ -> observed == threshold;
        case NE -> observed != threshold;
      };
    }
  }

  boolean holds(double observed) {
    return op.test(observed, value);
  }

  /** The condition and the observed value, for the alert and its events. */
  ObjectNode describe(ObjectMapper json, @org.jspecify.annotations.Nullable Double observed) {
    ObjectNode o = json.createObjectNode();
    o.put("name", signal.id());
    ObjectNode d = o.putObject("dimension");
    new TreeMap<>(dimensions).forEach(d::put);
    o.put("op", op.symbol);
    o.put("value", value);
    o.put("for_seconds", forMicros / 1_000_000L);
    if (observed != null) {
      o.put("observed", observed);
    }
    o.put("unit", signal.unit());
    return o;
  }
}
