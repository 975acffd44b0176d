package dev.vellum.ingest.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.regex.JDKRegularExpressionFactory;
import com.networknt.schema.regex.RegularExpression;
import dev.vellum.core.event.FieldError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One compiled (sub)schema of the base schema. Construction reads every keyword and refuses any it
 * does not implement, so the base schema cannot gain a constraint this class would silently skip.
 * Fields are written only while constructing.
 */
final class Subschema {
  private static final String DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

  private @Nullable JsonType type;
  private List<String> required = List.of();
  private final Map<String, Subschema> properties = new HashMap<>();
  private boolean closed;
  private @Nullable Subschema items;
  private int minLength;
  private int maxLength = Integer.MAX_VALUE;
  private @Nullable String patternText;
  private @Nullable RegularExpression pattern;
  private @Nullable Set<String> allowed;
  private @Nullable Format format;
  private final List<Subschema> anyOf = new ArrayList<>();
  private @Nullable Bound minimum;
  private @Nullable Bound maximum;
  private int maxItems = Integer.MAX_VALUE;
  private boolean uniqueItems;

  /** {@code at}: the schema's JSON pointer in the schema document, for construction errors. */
  Subschema(JsonNode schema, String at) {
    Keywords.requireObject(schema, at);
    for (Map.Entry<String, JsonNode> k : schema.properties()) {
      read(k.getKey(), k.getValue(), at + "/" + Location.escape(k.getKey()));
    }
  }

  private void read(String keyword, JsonNode v, String at) {
    switch (keyword) {
      case "type" -> type = Keywords.require(JsonType.named(Keywords.text(v, at)), at, "type");
      case "required" -> required = Keywords.texts(v, at);
      case "properties" -> {
        Keywords.requireObject(v, at);
        for (Map.Entry<String, JsonNode> p : v.properties()) {
          String child = at + "/" + Location.escape(p.getKey());
          properties.put(p.getKey(), new Subschema(p.getValue(), child));
        }
      }
      case "additionalProperties" -> closed = Keywords.requireFalse(v, at);
      case "items" -> items = new Subschema(v, at);
      case "minLength" -> minLength = Keywords.count(v, at);
      case "maxLength" -> maxLength = Keywords.count(v, at);
      case "pattern" -> {
        patternText = Keywords.text(v, at);
        // networknt's default (JDK) regular expressions: find(), with $ meaning end of input
        // as in ECMA 262 (rewritten to \z), so "LOGIN_FAILED\n" does not match ^[A-Z_]*$
        pattern = JDKRegularExpressionFactory.getInstance().getRegularExpression(patternText);
      }
      case "enum" -> allowed = new LinkedHashSet<>(Keywords.texts(v, at));
      case "format" -> format = Keywords.require(Format.named(Keywords.text(v, at)), at, "format");
      case "anyOf" -> {
        Keywords.requireNonEmptyArray(v, at);
        for (int i = 0; i < v.size(); i++) {
          anyOf.add(new Subschema(v.get(i), at + "/" + i));
        }
      }
      case "minimum" -> minimum = new Bound(true, Keywords.number(v, at));
      case "maximum" -> maximum = new Bound(false, Keywords.number(v, at));
      case "maxItems" -> maxItems = Keywords.count(v, at);
      case "uniqueItems" -> uniqueItems = Keywords.bool(v, at);
      case "$schema" -> Keywords.require(DRAFT_2020_12.equals(v.asText()) ? v : null, at, keyword);
      case "title", "description", "$id" -> {} // annotations only
      default -> {
        if (!keyword.startsWith("x-")) {
          throw Keywords.unsupported(at, "keyword " + keyword);
        }
      }
    }
  }

  /** Adds to {@code out} what is wrong with {@code node} at {@code at}. */
  void validate(JsonNode node, Location at, List<FieldError> out) {
    if (type != null && !type.accepts(node)) {
      // the other keywords would only add errors at the same pointer (networknt reports them)
      out.add(new FieldError(at.pointer(), "must be " + type.noun));
      return;
    }
    if (node.isTextual()) {
      checkString(node.textValue(), at, out);
    } else if (node.isObject()) {
      checkObject(node, at, out);
    } else if (node.isArray()) {
      checkArray(node, at, out);
    } else if (node.isNumber()) {
      checkNumber(node, at, out);
    }
    if (allowed != null && !(node.isTextual() && allowed.contains(node.textValue()))) {
      out.add(new FieldError(at.pointer(), "must be one of " + String.join(", ", allowed)));
    }
    if (!anyOf.isEmpty()) {
      checkAnyOf(node, at, out);
    }
  }

  private void checkString(String s, Location at, List<FieldError> out) {
    // JSON Schema lengths count code points; a UTF-16 length is an upper bound that usually
    // settles the question without counting
    if (s.length() < 2L * minLength && s.codePointCount(0, s.length()) < minLength) {
      out.add(new FieldError(at.pointer(), "must be at least " + plural(minLength, "character")));
    }
    if (s.length() > maxLength && s.codePointCount(0, s.length()) > maxLength) {
      out.add(new FieldError(at.pointer(), "must be at most " + plural(maxLength, "character")));
    }
    if (pattern != null && !pattern.matches(s)) {
      out.add(new FieldError(at.pointer(), "must match the pattern " + patternText));
    }
    if (format != null && !format.accepts(s)) {
      out.add(new FieldError(at.pointer(), format.message));
    }
  }

  private static String plural(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private void checkObject(JsonNode node, Location at, List<FieldError> out) {
    for (String name : required) {
      if (node.get(name) == null) { // a member set to null is present
        out.add(new FieldError(at.pointerTo(name), "is required"));
      }
    }
    if (properties.isEmpty() && !closed) {
      return;
    }
    for (Map.Entry<String, JsonNode> member : node.properties()) {
      Subschema schema = properties.get(member.getKey());
      if (schema != null) {
        at.enter(member.getKey());
        schema.validate(member.getValue(), at, out);
        at.leave();
      } else if (closed) {
        out.add(
            new FieldError(
                at.pointerTo(member.getKey()),
                "is not a known member; unknown members are not allowed here"));
      }
    }
  }

  private void checkArray(JsonNode node, Location at, List<FieldError> out) {
    if (node.size() > maxItems) {
      out.add(new FieldError(at.pointer(), "must have at most " + plural(maxItems, "item")));
    }
    if (uniqueItems && hasDuplicates(node)) {
      out.add(new FieldError(at.pointer(), "must not contain the same item twice"));
    }
    if (items != null) {
      for (int i = 0; i < node.size(); i++) {
        at.enter(i);
        items.validate(node.get(i), at, out);
        at.leave();
      }
    }
  }

  /** Jackson node equality, as networknt 2.0.8 compares items (1 and 1.0 differ there). */
  private static boolean hasDuplicates(JsonNode array) {
    Set<JsonNode> seen = new HashSet<>();
    for (JsonNode item : array) {
      if (!seen.add(item)) {
        return true;
      }
    }
    return false;
  }

  private void checkNumber(JsonNode node, Location at, List<FieldError> out) {
    if (minimum != null && minimum.violatedBy(node)) {
      out.add(new FieldError(at.pointer(), minimum.message()));
    }
    if (maximum != null && maximum.violatedBy(node)) {
      out.add(new FieldError(at.pointer(), maximum.message()));
    }
  }

  /**
   * Passes when one branch passes. On failure one error at this location names what each branch
   * wanted; networknt instead reports each branch's own errors, which for the base schema's
   * format-only branches sit at this same location.
   */
  private void checkAnyOf(JsonNode node, Location at, List<FieldError> out) {
    int mark = out.size();
    for (Subschema branch : anyOf) {
      int start = out.size();
      branch.validate(node, at, out); // out doubles as scratch space: no list per branch
      if (out.size() == start) {
        out.subList(mark, out.size()).clear();
        return;
      }
      out.subList(start + 1, out.size()).clear(); // keep what the branch wanted first
    }
    List<FieldError> wanted = out.subList(mark, out.size());
    String detail = wanted.stream().map(FieldError::detail).collect(Collectors.joining(", or "));
    wanted.clear();
    out.add(new FieldError(at.pointer(), detail));
  }
}
