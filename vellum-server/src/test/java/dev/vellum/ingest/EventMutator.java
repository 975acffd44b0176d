package dev.vellum.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.catalog.BuiltInCatalog;
import dev.vellum.core.json.StrictJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random damage to a realistic event, aimed at the base schema's constraints: missing and unknown
 * members at every level, wrong JSON types, strings at and around their length limits (astral code
 * points too), edge cases of each format, numbers at and just past their bounds, arrays at and past
 * their size limits, duplicates. Values are parsed from JSON text with the server's mapper, so
 * numbers have the node types ingest sees. Deterministic for a given Random.
 */
final class EventMutator {
  private static final ObjectMapper JSON = StrictJson.mapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final String[] ANY = {
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1",
    "1.0",
    "1.5",
    "-0.0",
    "1e400",
    "-1e400",
    "12345678901234567890",
    "\"\"",
    "\"x\"",
    "[]",
    "[1]",
    "[\"a\"]",
    "{}",
    "{\"a\":1}",
    "\"LOGIN_FAILED\"",
    "\"user\"",
    "[[]]",
    "{\"type\":\"user\",\"id\":\"u\"}"
  };
  private static final String[] UUIDS = {
    "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
    "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B",
    "00000000-0000-0000-0000-000000000000",
    "0190a1b2c3d47e5f8a9b0c1d2e3f4a5b",
    "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5",
    "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b0",
    "{0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b}",
    "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5g",
    "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\n",
    " 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
    "0190a1b-2c3d4-7e5f-8a9b-0c1d2e3f4a5b",
    "urn:uuid:0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
    "\uff10190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
    "\u0660190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
    "0190a1b2_c3d4_7e5f_8a9b_0c1d2e3f4a5b",
    ""
  };
  private static final String[] DATE_TIMES = {
    "2026-01-15T10:00:00Z",
    "2026-01-15T10:00:00.123Z",
    "2026-01-15t10:00:00z",
    "2026-01-15T10:00:00z",
    "2026-01-15 10:00:00Z",
    "2026-01-15T10:00:00+01:00",
    "2026-01-15T10:00:00-00:00",
    "2026-01-15T10:00:00+14:00",
    "2026-01-15T10:00:00+24:00",
    "2026-01-15T10:00:00+0100",
    "2026-01-15T10:00:00+01",
    "2026-01-15T10:00Z",
    "2026-01-15T10:00:00",
    "2026-01-15",
    "2016-12-31T23:59:60Z",
    "2015-06-30T23:59:60Z",
    "2026-01-15T23:59:60Z",
    "2016-12-31T23:59:60.5Z",
    "2017-01-01T00:59:60+01:00",
    "2016-12-31T22:59:60-01:00",
    "2026-02-29T00:00:00Z",
    "2024-02-29T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-01-15T24:00:00Z",
    "2026-01-15T10:60:00Z",
    "2026-01-15T10:00:00.Z",
    "2026-01-15T10:00:00.1234567890Z",
    "2026-01-15T10:00:00.123456789012Z",
    "0000-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "2026-01-15T10:00:00Z\n",
    " 2026-01-15T10:00:00Z",
    "2026-01-15T10:00:00[Europe/Paris]",
    "2026-01-15T10:00:00+01:00[Europe/Paris]",
    "2026-1-15T10:00:00Z",
    "2026-01-15T10:00:00,5Z",
    "2026-01-15T10:00:00.000+00:00",
    "1999-12-31T23:59:59.999Z",
    "2026-01-15T10:00:00+01:60",
    "2026-01-15T10:00:00-23:59",
    "2026-01-15T10:00:00UTC",
    "2026-01-15T10:00:00GMT",
    "\uff12026-01-15T10:00:00Z",
    ""
  };
  private static final String[] IPS = {
    "192.0.2.1",
    "0.0.0.0",
    "255.255.255.255",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.00",
    "1.2.3",
    "1.2.3.4.5",
    "1.2.3.4 ",
    " 1.2.3.4",
    "1.2.3.4\n",
    "1..2.3",
    "\u0661.2.3.4",
    "::",
    "::1",
    "2001:db8::1",
    "2001:DB8::1",
    "2001:db8:0:0:0:0:0:1",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7::",
    "::ffff:192.0.2.1",
    "::ffff:192.0.2.01",
    "::ffff:1.2.3",
    "1:2:3:4:5:6:1.2.3.4",
    "1:2:3:4:5:6:7:1.2.3.4",
    "fe80::1%eth0",
    "fe80::1%",
    "2001:db8::1 ",
    "\t2001:db8::1",
    "[2001:db8::1]",
    "2001:db8:::1",
    "02001:db8::1",
    "g::1",
    ":",
    "1::2::3",
    "2001:db8::1/64",
    "",
    "localhost",
    "::ffff:256.1.1.1",
    "1::",
    "1:2:3:4:5:6::",
    "1:2:3:4:5:6:7:8::",
    "::1.2.3.4",
    "1::1.2.3.4",
    "::ffff:0:1.2.3.4",
    "2001:0db8:0000:0000:0000:ff00:0042:8329",
    "2001:db8::1\n",
    "\uff12001:db8::1",
    "1.2.3.4/32",
    "1.2.3.4:80"
  };
  private static final String[] BOUND_NUMBERS = {
    "90",
    "90.0",
    "-90",
    "-90.0",
    "90.00000000000001",
    "89.99999999999999",
    "90.000000000000001",
    "-90.00000000000001",
    "-90.000000000000001",
    "180",
    "180.0",
    "-180",
    "180.5",
    "-180.00001",
    "0",
    "-0",
    "-0.0",
    "0.0",
    "1e400",
    "-1e400",
    "1e2",
    "9e1",
    "9.0E1",
    "53.3498",
    "12345678901234567890",
    "-12345678901234567890",
    "1.0",
    "-1",
    "-1.0",
    "0.5",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "1e-400",
    "0.1",
    "179.99999999999997",
    "-179.99999999999997",
    "1.7976931348623157E308"
  };
  private static final String[] ENUM_VALUES = {
    "success",
    "failure",
    "unknown",
    "Success",
    "SUCCESS",
    "",
    "success ",
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "fatal",
    "Info",
    "info\n"
  };
  private static final String[] PATTERNED = {
    "LOGIN_FAILED",
    "LOGIN_FAILED\n",
    "login_failed",
    "1ABC",
    "_A",
    "A",
    "a",
    "\u00c0B",
    "A-B",
    "",
    "A\nB",
    "a_b_1",
    "a\n",
    "A B",
    "AB_",
    "a1",
    "\uff21",
    "user",
    "user\n",
    "\nuser",
    "UserX",
    "user-x",
    "api_key",
    "u\u00e9",
    "x_"
  };

  private final Random rnd;
  private final List<StringField> strings = new ArrayList<>();

  /** A string member of the base schema: where it is and what limits it. */
  private record StringField(String path, int min, int max, String pattern) {}

  EventMutator(Random rnd) {
    this.rnd = rnd;
    collectStrings(parse(BuiltInCatalog.baseSchemaText()), "");
  }

  private void collectStrings(JsonNode schema, String path) {
    if ("string".equals(schema.path("type").asText()) && !path.isEmpty()) {
      strings.add(
          new StringField(
              path,
              schema.path("minLength").asInt(0),
              schema.path("maxLength").asInt(300),
              schema.path("pattern").asText("")));
    }
    for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
      collectStrings(p.getValue(), path + "/" + p.getKey());
    }
    if (schema.has("items")) {
      collectStrings(schema.get("items"), path + "/0");
    }
  }

  /** Applies no mutation (one case in ten) or up to three; returns what it did. */
  List<String> mutate(ObjectNode event) {
    List<String> done = new ArrayList<>();
    if (rnd.nextInt(3) == 0) {
      done.add(fillOptionalMembers(event));
    }
    int n = rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      done.add(mutateOnce(event));
    }
    return done;
  }

  private String mutateOnce(ObjectNode e) {
    switch (rnd.nextInt(14)) {
      case 0:
        return removeMember(e);
      case 1:
        return addUnknownMember(e);
      case 2:
        return replaceAnyValue(e);
      case 3:
      case 4:
        return stringAtLengthLimit(e);
      case 5:
        return set(e, pick("/id", "/related_event_id"), text(pick(UUIDS)));
      case 6:
        return set(e, pick("/occurred_at", "/received_at"), text(dateTime()));
      case 7:
        return set(e, "/actor/ip", text(ip()));
      case 8:
        return set(
            e,
            pick("/actor/location/latitude", "/actor/location/longitude", "/seq", "/leaf_version"),
            parse(pick(BOUND_NUMBERS)));
      case 9:
        return set(
            e,
            pick("/outcome", "/severity"),
            rnd.nextInt(8) == 0 ? parse(pick(ANY)) : text(pick(ENUM_VALUES)));
      case 10:
        return set(e, pick("/type", "/category", "/actor/type"), text(pick(PATTERNED)));
      case 11:
        return set(e, "/tags", tags());
      case 12:
        return targetsOrChanges(e, rnd.nextBoolean());
      default:
        return set(
            e,
            pick("/metadata", "/actor", "/actor/device", "/actor/location"),
            rnd.nextBoolean() ? parse(pick(ANY)) : withUnknownMember(NODES.objectNode()));
    }
  }

  /** Optional members with valid values, so later mutations find something to damage. */
  private String fillOptionalMembers(ObjectNode e) {
    ObjectNode actor = e.get("actor") instanceof ObjectNode a ? a : e.putObject("actor");
    actor
        .putObject("device")
        .put("type", "desktop")
        .put("model", "m")
        .put("browser", "b")
        .put("os", "o")
        .put("os_version", "1");
    actor
        .putObject("location")
        .put("country", "IE")
        .put("region", "L")
        .put("city", "D")
        .put("latitude", 53.3498)
        .put("longitude", -6.2603);
    e.set(
        "targets", items("{\"type\":\"user\",\"id\":\"u-%d\",\"name\":\"n\"}", 1 + rnd.nextInt(3)));
    e.set("tags", items("\"tag-%d\"", 1 + rnd.nextInt(3)));
    e.set(
        "changes",
        items("{\"path\":\"/p/%d\",\"before\":1,\"after\":{\"x\":[1]}}", 1 + rnd.nextInt(2)));
    e.put("id", UUIDS[0])
        .put("tenant", "acme")
        .put("received_at", "2026-01-15T10:00:01.000Z")
        .put("seq", rnd.nextInt(1000))
        .put("leaf_hash", "aGFzaA==")
        .put("leaf_version", 1)
        .put("related_event_id", "e-1")
        .put("reason", "r");
    return "fill optional members";
  }

  private String removeMember(ObjectNode e) {
    List<ObjectNode> objects = new ArrayList<>();
    collectObjects(e, objects);
    ObjectNode o = objects.get(rnd.nextInt(objects.size()));
    if (o.isEmpty()) {
      return "remove from an empty object: nothing";
    }
    List<String> names = new ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    String name = names.get(rnd.nextInt(names.size()));
    o.remove(name);
    return "remove member " + name;
  }

  private String addUnknownMember(ObjectNode e) {
    List<ObjectNode> objects = new ArrayList<>();
    collectObjects(e, objects);
    withUnknownMember(objects.get(rnd.nextInt(objects.size())));
    return "add unknown member";
  }

  private ObjectNode withUnknownMember(ObjectNode o) {
    o.set(
        pick("x", "colour", "Type", "ID", "a/b", "~", "~1", "", " ", "metadata_", "\u00e9"),
        parse(pick(ANY)));
    return o;
  }

  private static void collectObjects(JsonNode n, List<ObjectNode> out) {
    if (n instanceof ObjectNode o) {
      out.add(o);
    }
    for (JsonNode child : n) {
      collectObjects(child, out);
    }
  }

  private String replaceAnyValue(ObjectNode e) {
    List<String> paths = new ArrayList<>();
    collectPaths(e, "", paths);
    String path = paths.get(rnd.nextInt(paths.size()));
    return set(e, path, parse(pick(ANY)));
  }

  private static void collectPaths(JsonNode n, String path, List<String> out) {
    if (!path.isEmpty()) {
      out.add(path);
    }
    if (n.isObject()) {
      n.properties()
          .forEach(
              p ->
                  collectPaths(
                      p.getValue(),
                      path + "/" + p.getKey().replace("~", "~0").replace("/", "~1"),
                      out));
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        collectPaths(n.get(i), path + "/" + i, out);
      }
    }
  }

  private String stringAtLengthLimit(ObjectNode e) {
    StringField f = strings.get(rnd.nextInt(strings.size()));
    int[] lengths = {
      0, 1, f.min() - 1, f.min(), f.min() + 1, f.max() - 1, f.max(), f.max() + 1, f.max() + 2
    };
    int length = Math.max(0, lengths[rnd.nextInt(lengths.length)]);
    return set(e, f.path(), text(ofLength(length, f.pattern())));
  }

  /** A string of {@code codePoints} code points, usually one that passes the field's pattern. */
  private String ofLength(int codePoints, String pattern) {
    String[] units =
        pattern.contains("A-Z")
            ? new String[] {"A", "B", "_", "7"}
            : pattern.contains("a-z")
                ? new String[] {"a", "z", "_", "0"}
                : new String[] {"a", " ", "\u00e9", "\ud83d\ude00", "\u4e2d", "\ud800"};
    boolean astral = rnd.nextInt(6) == 0;
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < codePoints; i++) {
      String u = astral ? "\ud83d\ude00" : units[rnd.nextInt(units.length)];
      sb.append(i == 0 && !pattern.isEmpty() && !astral ? units[0] : u);
    }
    return sb.toString();
  }

  private String dateTime() {
    return rnd.nextInt(4) == 0 ? fuzz("0123456789-:TtZz.+ ", 25) : pick(DATE_TIMES);
  }

  private String ip() {
    return switch (rnd.nextInt(4)) {
      case 0 -> fuzz("0123456789.", 16);
      case 1 -> fuzz("0123456789abcdefABCDEF:.%", 24);
      default -> pick(IPS);
    };
  }

  private String fuzz(String alphabet, int maxLength) {
    StringBuilder sb = new StringBuilder();
    int length = 1 + rnd.nextInt(maxLength);
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private JsonNode tags() {
    int[] sizes = {0, 1, 2, 49, 50, 51};
    ArrayNode tags = items("\"tag-%d\"", sizes[rnd.nextInt(sizes.length)]);
    switch (rnd.nextInt(6)) {
      case 0 -> tags.add(tags.isEmpty() ? "dup" : tags.get(0).asText()); // a duplicate
      case 1 -> tags.add(parse(pick(ANY)));
      case 2 ->
          tags.addAll(
              List.of(
                  parse(pick("1", "[1]", "{\"a\":1}", "null", "\"\"")),
                  parse(pick("1", "1.0", "[1]", "{\"a\":1}", "null", "\"\""))));
      default -> {}
    }
    return tags;
  }

  private String targetsOrChanges(ObjectNode e, boolean targets) {
    int[] sizes = targets ? new int[] {0, 1, 99, 100, 101} : new int[] {0, 1, 499, 500, 501};
    ArrayNode a =
        items(
            targets ? "{\"type\":\"doc\",\"id\":\"d-%d\"}" : "{\"path\":\"/p/%d\",\"after\":null}",
            sizes[rnd.nextInt(sizes.length)]);
    if (!a.isEmpty() && rnd.nextBoolean()) {
      ObjectNode item = (ObjectNode) a.get(rnd.nextInt(a.size()));
      switch (rnd.nextInt(4)) {
        case 0 -> item.remove(pick("type", "id", "path"));
        case 1 -> withUnknownMember(item);
        case 2 -> item.set(pick("type", "id", "name", "path", "before"), parse(pick(ANY)));
        default -> a.set(rnd.nextInt(a.size()), parse(pick(ANY)));
      }
    }
    return set(e, targets ? "/targets" : "/changes", a);
  }

  private static ArrayNode items(String template, int count) {
    ArrayNode a = NODES.arrayNode();
    for (int i = 0; i < count; i++) {
      a.add(parse(String.format(template, i)));
    }
    return a;
  }

  /**
   * Sets the value at {@code path}, creating missing parent objects (and a first array item) on the
   * way; does nothing where a parent exists but is not a container.
   */
  private static String set(ObjectNode e, String path, JsonNode value) {
    String[] segments = path.substring(1).split("/", -1);
    JsonNode parent = e;
    for (int i = 0; i < segments.length - 1; i++) {
      String s = segments[i].replace("~1", "/").replace("~0", "~");
      if (parent.isArray() && !s.matches("[0-9]+")) {
        return "set " + path + ": an array where an object was";
      }
      JsonNode next = parent.isArray() ? parent.get(Integer.parseInt(s)) : parent.get(s);
      if (next == null) {
        boolean arrayNext = segments[i + 1].equals("0");
        next = arrayNext ? NODES.arrayNode() : NODES.objectNode();
        if (parent instanceof ObjectNode o) {
          o.set(s, next);
        } else {
          ((ArrayNode) parent).add(next);
        }
      }
      if (!next.isContainerNode()) {
        return "set " + path + ": parent is not a container";
      }
      parent = next;
    }
    String last = segments[segments.length - 1].replace("~1", "/").replace("~0", "~");
    if (parent.isArray() && !last.matches("[0-9]+")) {
      return "set " + path + ": an array where an object was";
    }
    if (parent instanceof ObjectNode o) {
      o.set(last, value);
    } else {
      ArrayNode a = (ArrayNode) parent;
      int index = Integer.parseInt(last);
      if (index < a.size()) {
        a.set(index, value);
      } else {
        a.add(value);
      }
    }
    String shown = value.toString();
    return "set " + path + " = " + (shown.length() > 80 ? shown.substring(0, 80) + "..." : shown);
  }

  @SafeVarargs
  private <T> T pick(T... values) {
    return values[rnd.nextInt(values.length)];
  }

  private static JsonNode text(String s) {
    return NODES.textNode(s);
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(json, e);
    }
  }
}
