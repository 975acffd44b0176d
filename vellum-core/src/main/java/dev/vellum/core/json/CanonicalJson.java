package dev.vellum.core.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * <p>The output for a given JSON value is unique: object members are sorted by the UTF-16 code
 * units of their names, strings use the minimal escaping of RFC 8785 §3.2.2.2, numbers are printed
 * as ECMAScript {@code Number.prototype.toString} prints them (§3.2.2.3), and there is no
 * whitespace. Two JSON texts that parse to the same data MUST canonicalise to the same bytes.
 *
 * <p>Inputs that I-JSON (RFC 7493, required by RFC 8785 §3.1) forbids are rejected with an {@link
 * IllegalArgumentException}: NaN and infinite numbers, strings or names containing an unpaired
 * UTF-16 surrogate, and Jackson node types that are not JSON data (binary, POJO, missing). Every
 * number is first converted to an IEEE 754 double, as RFC 8785 §3.2.2.3 requires, so integers
 * beyond ±2^53 lose precision exactly as they would in ECMAScript.
 */
public final class CanonicalJson {

  private CanonicalJson() {}

  /**
   * Returns the canonical form of {@code node} as UTF-8 bytes (RFC 8785 §3.2.4).
   *
   * @throws IllegalArgumentException if the value is not representable in I-JSON
   */
  public static byte[] canonicalize(JsonNode node) {
    return canonicalString(node).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Returns the canonical form of {@code node} as a string; its UTF-8 encoding is {@link
   * #canonicalize(JsonNode)}.
   *
   * @throws IllegalArgumentException if the value is not representable in I-JSON
   */
  public static String canonicalString(JsonNode node) {
    if (node == null) {
      throw new IllegalArgumentException("node must not be null (use NullNode for JSON null)");
    }
    StringBuilder out = new StringBuilder(128);
    write(node, out, "");
    return out.toString();
  }

  /**
   * The canonical text {@code "name":value} of each member of {@code object}, sorted by name as RFC
   * 8785 §3.2.3 orders them. With {@link #joinMembers} this splits canonicalisation in two: members
   * can be rendered ahead of time and members added later (as the server adds its own) without
   * walking the whole tree again. {@code joinMembers(canonicalMembers(o))} equals {@code
   * canonicalString(o)}.
   *
   * @throws IllegalArgumentException if a value is not representable in I-JSON
   */
  @SuppressWarnings("NonApiType") // the sorted order is the contract: joinMembers relies on it
  public static java.util.TreeMap<String, String> canonicalMembers(
      com.fasterxml.jackson.databind.node.ObjectNode object) {
    java.util.TreeMap<String, String> members = new java.util.TreeMap<>();
    for (Map.Entry<String, JsonNode> m : object.properties()) {
      members.put(m.getKey(), member(m.getKey(), m.getValue()));
    }
    return members;
  }

  /** The canonical text {@code "name":value} of one object member. */
  public static String member(String name, JsonNode value) {
    StringBuilder out = new StringBuilder(64);
    Location at = new Location(new Location(null, ""), name);
    JsonStrings.append(name, out, at);
    out.append(':');
    write(value, out, at);
    return out.toString();
  }

  /**
   * The canonical object made of the members of two maps from {@link #canonicalMembers} (or {@link
   * #member}), merged in name order without copying either map. The maps MUST NOT share a member
   * name.
   */
  public static String mergeMembers(
      java.util.SortedMap<String, String> a, java.util.SortedMap<String, String> b) {
    int size = 2 + a.size() + b.size();
    for (String m : a.values()) {
      size += m.length();
    }
    for (String m : b.values()) {
      size += m.length();
    }
    StringBuilder out = new StringBuilder(size).append('{');
    java.util.Iterator<Map.Entry<String, String>> ia = a.entrySet().iterator();
    java.util.Iterator<Map.Entry<String, String>> ib = b.entrySet().iterator();
    Map.Entry<String, String> ea = ia.hasNext() ? ia.next() : null;
    Map.Entry<String, String> eb = ib.hasNext() ? ib.next() : null;
    boolean first = true;
    while (ea != null || eb != null) {
      boolean takeA = eb == null || (ea != null && ea.getKey().compareTo(eb.getKey()) < 0);
      if (!first) {
        out.append(',');
      }
      first = false;
      if (takeA) {
        out.append(
            Objects.requireNonNull(ea).getValue()); // takeA: eb is exhausted or ea is smaller
        ea = ia.hasNext() ? ia.next() : null;
      } else {
        out.append(Objects.requireNonNull(eb).getValue()); // !takeA: eb is non-null
        eb = ib.hasNext() ? ib.next() : null;
      }
    }
    return out.append('}').toString();
  }

  /** The canonical object made of {@code members}, which MUST be sorted by member name. */
  public static String joinMembers(java.util.Collection<String> members) {
    int size = 2 + members.size();
    for (String m : members) {
      size += m.length();
    }
    StringBuilder out = new StringBuilder(size).append('{');
    boolean first = true;
    for (String m : members) {
      if (!first) {
        out.append(',');
      }
      first = false;
      out.append(m);
    }
    return out.append('}').toString();
  }

  /*
   * Serialisation follows RFC 8785 §3.2: the JSON primitives null/true/false are literal, strings
   * go through JsonStrings (§3.2.2.2), numbers through EcmaNumbers (§3.2.2.3), and objects sort
   * their members by name (§3.2.3) before writing them. Java's String.compareTo compares UTF-16
   * code units, which is exactly the order §3.2.3 prescribes. Recursion depth follows the input's
   * nesting; Jackson's parser already limits nesting depth (StreamReadConstraints).
   */
  private static void write(JsonNode node, StringBuilder out, String pointer) {
    write(node, out, new Location(null, pointer));
  }

  /**
   * Where a value sits, as a chain of parents; turned into a JSON pointer string only when an error
   * needs it, so the common path allocates no pointer strings.
   */
  private record Location(@Nullable Location parent, String segment) {
    @Override
    public String toString() {
      return parent == null ? segment : parent + "/" + escapePointer(segment);
    }
  }

  private static void write(JsonNode node, StringBuilder out, Location pointer) {
    switch (node.getNodeType()) {
      case NULL -> out.append("null");
      case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
      case STRING -> JsonStrings.append(node.textValue(), out, pointer);
      case NUMBER -> out.append(EcmaNumbers.toString(toDouble(node, pointer), pointer));
      case ARRAY -> {
        out.append('[');
        int i = 0;
        for (JsonNode element : node) {
          if (i > 0) {
            out.append(',');
          }
          write(element, out, new Location(pointer, Integer.toString(i)));
          i++;
        }
        out.append(']');
      }
      case OBJECT -> {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
        members.sort(Map.Entry.comparingByKey());
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> member : members) {
          if (!first) {
            out.append(',');
          }
          first = false;
          String name = member.getKey();
          Location childPointer = new Location(pointer, name);
          JsonStrings.append(name, out, childPointer);
          out.append(':');
          write(member.getValue(), out, childPointer);
        }
        out.append('}');
      }
      default ->
          throw new NotIJsonException(
              pointer, "not JSON data at '" + pointer + "': node type " + node.getNodeType());
    }
  }

  /** RFC 8785 §3.2.2.3: every number is an IEEE 754 double before it is printed. */
  private static double toDouble(JsonNode node, Location pointer) {
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return (double) node.longValue(); // exact for |v| <= 2^53, round-to-nearest beyond
    }
    if (node.isBigInteger()) {
      return node.bigIntegerValue().doubleValue(); // correctly rounded, may be infinite
    }
    if (node.isBigDecimal()) {
      return node.decimalValue().doubleValue(); // correctly rounded, may be infinite
    }
    if (node.isFloatingPointNumber()) {
      return node.doubleValue(); // FloatNode widens exactly
    }
    throw new NotIJsonException(
        pointer,
        "unsupported number node at '" + pointer + "': " + node.getClass().getSimpleName());
  }

  /** RFC 6901 escaping, used only to name the location of a problem in error messages. */
  private static String escapePointer(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
