package dev.vellum.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.core.event.FieldError;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks the local references of a tenant schema before it is stored: each must name a subschema of
 * the document, and none may lead back to where it started without descending into the instance.
 * networknt resolves references lazily, on the first event that reaches them, so a reference to
 * nothing ({@code {"$dynamicRef": "#meta"}} without that anchor) failed every such event with a
 * 500, and so did a cycle, such as {@code {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref":
 * "#/$defs/a"}}, "$ref": "#/$defs/a"}}. networknt compiles such a schema (references are resolved
 * lazily) and then recurses until the stack overflows on the first event, which failed every event
 * of the type with a 500 (found by {@code EventTypeSchemaFuzzTest}).
 *
 * <p>The graph: a node per subschema (by JSON pointer), an edge for each in-place applicator
 * ({@code allOf}, {@code anyOf}, {@code oneOf}, {@code not}, {@code if}, {@code then}, {@code
 * else}, {@code dependentSchemas}: JSON Schema 2020-12 core §10.2, they apply to the same instance)
 * and for each local {@code $ref}/{@code $dynamicRef} (§8.2.3). Applicators into members or items
 * move to a smaller instance, and the instance's depth is bounded by the parser, so only a cycle of
 * in-place edges recurses forever (§9.4.1 asks implementations to detect exactly that). A local
 * reference resolves against the nearest enclosing {@code $id} (or the document), a plain-name
 * fragment against {@code $anchor}/{@code $dynamicAnchor} anywhere in the document; {@code
 * $dynamicRef} is taken as a plain reference to its anchor, which covers the only target a schema
 * without outside references can have.
 */
final class LocalSchemaRefs {
  /** Longest accepted chain of in-place steps; hand-written schemas stay far below it. */
  static final int MAX_CHAIN = 32;

  private static final Set<String> IN_PLACE_ONE = Set.of("not", "if", "then", "else");
  private static final Set<String> IN_PLACE_ARRAY = Set.of("allOf", "anyOf", "oneOf");

  /** Pointer of every value in the document (a boolean is a schema too). */
  private final Set<String> present = new HashSet<>();

  /** Subschema pointer → its node. */
  private final Map<String, JsonNode> nodes = new HashMap<>();

  /** Subschema pointer → pointer of its resource (nearest ancestor-or-self with $id). */
  private final Map<String, String> resources = new HashMap<>();

  private final Map<String, String> anchors = new HashMap<>();

  private LocalSchemaRefs() {}

  /**
   * Then one error per cycle found, at the pointer of the reference that closes it, and one for the
   * first chain of more than {@link #MAX_CHAIN} in-place steps (each step is a few stack frames of
   * networknt's validator, repeated at every level of the event).
   */
  static List<FieldError> check(JsonNode schema) {
    LocalSchemaRefs g = new LocalSchemaRefs();
    g.index(schema, "", "");
    List<FieldError> out = g.unresolved();
    out.addAll(g.search());
    return out;
  }

  /** One error per local reference that names nothing in the document. */
  private List<FieldError> unresolved() {
    List<FieldError> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> n : nodes.entrySet()) {
      for (String k : List.of("$ref", "$dynamicRef")) {
        JsonNode ref = n.getValue().path(k);
        if (ref.isTextual()
            && ref.asText().startsWith("#")
            && resolve(n.getKey(), ref.asText(), present) == null) {
          out.add(
              new FieldError(
                  n.getKey() + "/" + escape(k),
                  "names nothing in this schema"
                      + " (a JSON pointer into the document, or a $anchor or $dynamicAnchor it declares)"));
        }
      }
    }
    out.sort(java.util.Comparator.comparing(FieldError::pointer));
    return out;
  }

  /** An open node of the iterative depth-first search (a recursive one would overflow too). */
  private static final class Frame {
    final String pointer;
    final List<Edge> edges;
    int next;
    int longest;

    Frame(String pointer, List<Edge> edges) {
      this.pointer = pointer;
      this.edges = edges;
    }
  }

  private List<FieldError> search() {
    List<FieldError> out = new ArrayList<>();
    Map<String, Integer> chain = new HashMap<>(); // finished node → longest in-place chain
    Set<String> onPath = new HashSet<>();
    boolean reportedLong = false;
    for (String start : nodes.keySet()) {
      if (chain.containsKey(start)) {
        continue;
      }
      Deque<Frame> stack = new ArrayDeque<>();
      stack.push(new Frame(start, edges(start)));
      onPath.add(start);
      while (!stack.isEmpty()) {
        Frame f = stack.peek();
        if (f.next < f.edges.size()) {
          Edge e = f.edges.get(f.next++);
          if (onPath.contains(e.to())) {
            out.add(
                new FieldError(
                    e.from(),
                    "this reference leads back to "
                        + display(e.to())
                        + " without descending into the event, so validation would never end"));
          } else if (chain.containsKey(e.to())) {
            f.longest = Math.max(f.longest, chain.get(e.to()) + 1);
          } else {
            stack.push(new Frame(e.to(), edges(e.to())));
            onPath.add(e.to());
          }
          continue;
        }
        stack.pop();
        onPath.remove(f.pointer);
        chain.put(f.pointer, f.longest);
        if (f.longest > MAX_CHAIN && !reportedLong) {
          reportedLong = true;
          out.add(
              new FieldError(
                  f.pointer,
                  "more than "
                      + MAX_CHAIN
                      + " references and"
                      + " in-place applicators (allOf, anyOf, oneOf, not, if/then/else,"
                      + " dependentSchemas) apply one after another from here"));
        }
        if (!stack.isEmpty()) {
          stack.peek().longest = Math.max(stack.peek().longest, f.longest + 1);
        }
      }
    }
    return out;
  }

  private void index(JsonNode node, String pointer, String resource) {
    present.add(pointer);
    if (node.isObject()) {
      String here = node.path("$id").isTextual() ? pointer : resource;
      nodes.put(pointer, node);
      resources.put(pointer, here);
      for (String a : List.of("$anchor", "$dynamicAnchor")) {
        if (node.path(a).isTextual()) {
          anchors.putIfAbsent(node.path(a).asText(), pointer);
        }
      }
      for (Map.Entry<String, JsonNode> f : node.properties()) {
        index(f.getValue(), pointer + "/" + escape(f.getKey()), here);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        index(node.get(i), pointer + "/" + i, resource);
      }
    }
  }

  private record Edge(String from, String to) {}

  private List<Edge> edges(String pointer) {
    JsonNode node = Objects.requireNonNull(nodes.get(pointer), "edges of indexed pointers only");
    List<Edge> out = new ArrayList<>();
    for (String k : IN_PLACE_ONE) {
      if (node.path(k).isObject()) {
        out.add(new Edge(pointer + "/" + k, pointer + "/" + k));
      }
    }
    for (String k : IN_PLACE_ARRAY) {
      JsonNode arr = node.path(k);
      for (int i = 0; arr.isArray() && i < arr.size(); i++) {
        if (arr.get(i).isObject()) {
          out.add(new Edge(pointer + "/" + k + "/" + i, pointer + "/" + k + "/" + i));
        }
      }
    }
    if (node.path("dependentSchemas").isObject()) {
      for (Map.Entry<String, JsonNode> f : node.path("dependentSchemas").properties()) {
        if (f.getValue().isObject()) {
          String child = pointer + "/dependentSchemas/" + escape(f.getKey());
          out.add(new Edge(child, child));
        }
      }
    }
    for (String k : List.of("$ref", "$dynamicRef")) {
      String target =
          node.path(k).isTextual() ? resolve(pointer, node.path(k).asText(), nodes.keySet()) : null;
      if (target != null) {
        out.add(new Edge(pointer + "/" + escape(k), target));
      }
    }
    return out;
  }

  /** The pointer in {@code among} a local reference names; null if not local or not there. */
  private @Nullable String resolve(String from, String ref, Set<String> among) {
    if (!ref.startsWith("#")) {
      return null; // the shipped base and type schemas, which refer to nothing of the tenant's
    }
    String fragment;
    try {
      fragment = URLDecoder.decode(ref.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException badPercentEncoding) {
      return null;
    }
    String target =
        fragment.isEmpty() || fragment.startsWith("/")
            ? resources.get(from) + fragment
            : anchors.get(fragment);
    return target != null && among.contains(target) ? target : null;
  }

  private static String display(String pointer) {
    return pointer.isEmpty() ? "the root schema" : pointer;
  }

  private static String escape(String member) {
    return member.replace("~", "~0").replace("/", "~1");
  }
}
