package dev.vellum.analytics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses every statement but one read-only query over the {@code events} view, before DuckDB runs
 * it. DuckDB parses: {@code json_serialize_sql} serializes only SELECT statements (anything else,
 * from {@code COPY} and {@code ATTACH} to {@code SET}, {@code PRAGMA} and DDL, is an error), gives
 * one entry per statement, and exposes every table reference and function call in its syntax tree.
 * The tree is then checked against allow-lists, not deny-lists: tables must be {@code events} or a
 * CTE of the query; table functions only generate values ({@code range}, {@code generate_series},
 * {@code unnest}), so nothing reads a file or the network, however it is spelled. The DuckDB
 * sandbox settings ({@code allowed_directories}, {@code enable_external_access}, {@code
 * lock_configuration}) stand behind this as a second wall.
 */
final class SqlGuard {
  static final String VIEW = "events";
  private static final Set<String> TABLE_FUNCTIONS = Set.of("range", "generate_series", "unnest");

  /** Scalar functions that would show the server's settings (paths among them). */
  private static final Set<String> SCALAR_DENIED = Set.of("current_setting");

  private SqlGuard() {}

  /** Throws {@link AnalyticsException.Kind#REFUSED} unless {@code sql} is one allowed query. */
  static void check(Connection duck, ObjectMapper json, String sql) throws SQLException {
    JsonNode tree = serialize(duck, json, sql);
    if (tree.path("error").asBoolean(false)) {
      String message = tree.path("error_message").asText("not valid SQL");
      if (message.startsWith("Only SELECT statements")) {
        throw refused("only a single SELECT (or WITH … SELECT) statement is allowed");
      }
      throw refused("SQL " + tree.path("error_type").asText("parser") + " error: " + message);
    }
    JsonNode statements = tree.path("statements");
    if (statements.size() != 1) {
      throw refused(
          statements.isEmpty()
              ? "no statement: send one SELECT"
              : "only one statement is allowed, found " + statements.size());
    }
    walk(statements, Set.of());
  }

  private static JsonNode serialize(Connection duck, ObjectMapper json, String sql)
      throws SQLException {
    try (PreparedStatement ps = duck.prepareStatement("SELECT json_serialize_sql(?::VARCHAR)")) {
      ps.setString(1, sql);
      try (ResultSet r = ps.executeQuery()) {
        r.next();
        return json.readTree(r.getString(1));
      }
    } catch (JsonProcessingException e) {
      throw refused("the SQL could not be analysed");
    }
  }

  /**
   * Checks every table reference and function call. {@code ctes} are the CTE names visible at
   * {@code node}: a CTE's body sees the CTEs defined before it and itself (recursive CTEs), the
   * rest of its query sees them all, and nothing outside that query sees them; so a CTE cannot lend
   * its name to a system table ({@code pg_settings}) referenced elsewhere.
   */
  private static void walk(JsonNode node, Set<String> ctes) {
    if (node.isArray()) {
      node.forEach(child -> walk(child, ctes));
      return;
    }
    if (!node.isObject()) {
      return;
    }
    checkNode(node, ctes);
    JsonNode map = node.path("cte_map").path("map");
    Set<String> visible = ctes;
    if (!map.isEmpty()) {
      Set<String> growing = new HashSet<>(ctes);
      for (JsonNode entry : map) {
        growing.add(entry.path("key").asText("").toLowerCase(Locale.ROOT));
        walk(entry.path("value"), Set.copyOf(growing));
      }
      visible = Set.copyOf(growing);
    }
    for (var it = node.properties().iterator(); it.hasNext(); ) {
      var field = it.next();
      if (!field.getKey().equals("cte_map")) {
        walk(field.getValue(), visible);
      }
    }
  }

  private static void checkNode(JsonNode node, Set<String> ctes) {
    String type = node.path("type").asText("");
    if (type.equals("BASE_TABLE")
        || (type.equals("SHOW_REF") && !node.path("table_name").asText("").isEmpty())) {
      checkTable(node, ctes);
    } else if (type.equals("TABLE_FUNCTION")) {
      String name = node.path("function").path("function_name").asText("");
      if (!TABLE_FUNCTIONS.contains(name.toLowerCase(Locale.ROOT))
          || !node.path("function").path("schema").asText("").isEmpty()) {
        throw refused(
            "table function "
                + name
                + " is not allowed: query the events view (range, generate_series and unnest"
                + " are the only table functions)");
      }
    } else if (node.path("class").asText("").equals("FUNCTION")) {
      String name = node.path("function_name").asText("");
      if (SCALAR_DENIED.contains(name.toLowerCase(Locale.ROOT))) {
        throw refused("function " + name + " is not allowed");
      }
    }
  }

  private static void checkTable(JsonNode node, Set<String> ctes) {
    String name = node.path("table_name").asText("");
    boolean qualified =
        !node.path("schema_name").asText("").isEmpty()
            || !node.path("catalog_name").asText("").isEmpty();
    String lower = name.toLowerCase(Locale.ROOT);
    if (qualified || !(lower.equals(VIEW) || ctes.contains(lower))) {
      throw refused(
          "table "
              + (name.length() > 80 ? name.substring(0, 80) + "…" : name)
              + " is not allowed: the only table is the events view (and the query's own CTEs)");
    }
  }

  private static AnalyticsException refused(String message) {
    return new AnalyticsException(AnalyticsException.Kind.REFUSED, message);
  }
}
