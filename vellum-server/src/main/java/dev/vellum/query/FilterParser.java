package dev.vellum.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.search.SearchQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns the query parameters of {@code GET /v1/events} into an {@link SearchQuery}. Unknown
 * parameters are rejected so that a typo ({@code actorId}) never silently widens a search.
 */
public final class FilterParser {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1_000;
  private static final Set<String> KNOWN =
      Set.of(
          "from",
          "to",
          "type",
          "category",
          "source",
          "actor_id",
          "actor_ip",
          "target_type",
          "target_id",
          "outcome",
          "severity",
          "session_id",
          "tag",
          "q",
          "order",
          "limit",
          "cursor");

  /** A parameter was missing, repeated, unknown or malformed; {@code name} says which. */
  public static final class BadParameter extends RuntimeException {
    private final String name;

    BadParameter(String name, String detail) {
      super(detail);
      this.name = name;
    }

    public String name() {
      return name;
    }
  }

  private FilterParser() {}

  public static SearchQuery parse(String tenant, Map<String, List<String>> params) {
    for (Map.Entry<String, List<String>> p : params.entrySet()) {
      if (!KNOWN.contains(p.getKey())) {
        throw new BadParameter(
            p.getKey(), "unknown parameter; known: " + new java.util.TreeSet<>(KNOWN));
      }
      if (p.getValue().size() > 1 && !p.getKey().equals("type")) {
        throw new BadParameter(p.getKey(), "may be given only once");
      }
    }
    String order = one(params, "order");
    if (order != null && !order.equals("asc") && !order.equals("desc")) {
      throw new BadParameter("order", "must be asc or desc");
    }
    boolean asc = "asc".equals(order);
    String targetType = one(params, "target_type");
    String targetId = one(params, "target_id");
    if ((targetType == null) != (targetId == null)) {
      throw new BadParameter(
          targetType == null ? "target_type" : "target_id",
          "target_type and target_id must be given together");
    }
    Long from = time(params, "from");
    Long to = time(params, "to");
    if (from != null && to != null && from > to) {
      throw new BadParameter("from", "must not be after to");
    }
    String cursor = one(params, "cursor");
    SearchQuery.Position after = null;
    if (cursor != null) {
      try {
        after = Cursor.decode(cursor, asc);
      } catch (IllegalArgumentException e) {
        throw new BadParameter("cursor", Objects.requireNonNull(e.getMessage(), "Cursor says why"));
      }
    }
    List<String> types = params.getOrDefault("type", List.of());
    return new SearchQuery(
        tenant,
        from,
        to,
        types.isEmpty() ? null : List.copyOf(types),
        one(params, "category"),
        one(params, "source"),
        one(params, "actor_id"),
        one(params, "actor_ip"),
        targetType,
        targetId,
        enumOf(params, "outcome", Set.of("success", "failure", "unknown")),
        enumOf(
            params, "severity", Set.of("debug", "info", "notice", "warning", "error", "critical")),
        one(params, "session_id"),
        one(params, "tag"),
        fullText(one(params, "q")),
        asc,
        limit(one(params, "limit")),
        after);
  }

  private static @Nullable String one(Map<String, List<String>> params, String name) {
    List<String> v = params.get(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    if (v.get(0).isEmpty()) {
      throw new BadParameter(name, "must not be empty");
    }
    return v.get(0);
  }

  private static @Nullable String enumOf(
      Map<String, List<String>> params, String name, Set<String> allowed) {
    String v = one(params, name);
    if (v != null && !allowed.contains(v)) {
      throw new BadParameter(name, "must be one of " + new java.util.TreeSet<>(allowed));
    }
    return v;
  }

  private static @Nullable Long time(Map<String, List<String>> params, String name) {
    String v = one(params, name);
    return v == null ? null : QueryTimes.parse(name, v);
  }

  private static int limit(@Nullable String v) {
    if (v == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 1 || n > MAX_LIMIT) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadParameter("limit", "must be an integer from 1 to " + MAX_LIMIT);
    }
  }

  /**
   * Splits free text into lower-cased words of letters and digits, every one of which must occur;
   * the last matches as a prefix, so typing-as-you-search works.
   */
  static SearchQuery.@Nullable FullText fullText(@Nullable String q) {
    if (q == null) {
      return null;
    }
    List<String> words = new ArrayList<>();
    for (String w : q.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    if (words.isEmpty()) {
      throw new BadParameter("q", "must contain at least one letter or digit");
    }
    if (words.size() > 32) {
      throw new BadParameter("q", "at most 32 words");
    }
    return new SearchQuery.FullText(words, true);
  }

  /** The filter as a JSON object, for the read-audit record. */
  public static ObjectNode describe(ObjectMapper json, Map<String, List<String>> params) {
    ObjectNode out = json.createObjectNode();
    for (Map.Entry<String, List<String>> p : new java.util.TreeMap<>(params).entrySet()) {
      if (p.getKey().equals("cursor")) {
        continue;
      }
      if (p.getValue().size() == 1) {
        out.put(p.getKey(), p.getValue().get(0));
      } else {
        p.getValue().forEach(out.withArray(p.getKey())::add);
      }
    }
    return out;
  }
}
