package dev.vellum.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.ingest.Times;
import dev.vellum.store.StoredEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.jspecify.annotations.Nullable;

/**
 * The columns of the archive contract (the archive's Parquet files and the {@code events} view) and
 * the flattening of a stored event into them, used for the hot events that are not archived yet so
 * that they look exactly like archived ones.
 */
final class EventRows {
  /** A column of the contract and its DuckDB type. */
  record Column(String name, String type) {}

  static final List<Column> COLUMNS =
      List.of(
          new Column("id", "VARCHAR"),
          new Column("tenant", "VARCHAR"),
          new Column("seq", "BIGINT"),
          new Column("occurred_at", "TIMESTAMP"),
          new Column("received_at", "TIMESTAMP"),
          new Column("source", "VARCHAR"),
          new Column("type", "VARCHAR"),
          new Column("category", "VARCHAR"),
          new Column("outcome", "VARCHAR"),
          new Column("severity", "VARCHAR"),
          new Column("actor_type", "VARCHAR"),
          new Column("actor_id", "VARCHAR"),
          new Column("actor_name", "VARCHAR"),
          new Column("actor_ip", "VARCHAR"),
          new Column("actor_user_agent", "VARCHAR"),
          new Column("actor_device", "VARCHAR"),
          new Column("actor_location", "VARCHAR"),
          new Column("targets", "VARCHAR"),
          new Column("changes", "VARCHAR"),
          new Column("tags", "VARCHAR"),
          new Column("metadata", "VARCHAR"),
          new Column("session_id", "VARCHAR"),
          new Column("request_id", "VARCHAR"),
          new Column("related_event_id", "VARCHAR"),
          new Column("reason", "VARCHAR"),
          new Column("leaf_hash", "VARCHAR"),
          new Column("leaf_version", "INTEGER"),
          new Column("body", "VARCHAR"));

  /** The column list, for SELECTs that must produce exactly these columns in this order. */
  static final String NAMES = COLUMNS.stream().map(Column::name).collect(Collectors.joining(", "));

  private EventRows() {}

  /** Creates {@code table} with the contract's columns in the connection's main schema. */
  static void createTable(Connection duck, String table) throws SQLException {
    String columns =
        COLUMNS.stream().map(c -> c.name() + " " + c.type()).collect(Collectors.joining(", "));
    try (Statement s = duck.createStatement()) {
      s.execute("CREATE TABLE " + table + " (" + columns + ")");
    }
  }

  /** Appends {@code events} to {@code table}, flattened into the contract's columns. */
  static void append(Connection duck, String table, Iterable<StoredEvent> events, ObjectMapper json)
      throws SQLException {
    try (DuckDBAppender a = duck.unwrap(DuckDBConnection.class).createAppender("main", table)) {
      for (StoredEvent e : events) {
        appendRow(a, e, json);
      }
    }
  }

  private static void appendRow(DuckDBAppender a, StoredEvent e, ObjectMapper json)
      throws SQLException {
    JsonNode b;
    try {
      b = json.readTree(e.body());
    } catch (IOException ex) {
      throw new UncheckedIOException("stored event " + e.seq() + " is not JSON", ex);
    }
    JsonNode actor = b.path("actor");
    a.beginRow();
    a.append(e.id());
    text(a, b, "tenant");
    a.append(e.seq());
    a.append(LocalDateTime.ofInstant(Times.instant(e.occurredAtMicros()), ZoneOffset.UTC));
    timestamp(a, b.path("received_at").asText(null));
    for (String f : List.of("source", "type", "category", "outcome", "severity")) {
      text(a, b, f);
    }
    for (String f : List.of("type", "id", "name", "ip", "user_agent")) {
      text(a, actor, f);
    }
    jsonText(a, actor.get("device"));
    jsonText(a, actor.get("location"));
    for (String f : List.of("targets", "changes", "tags", "metadata")) {
      jsonText(a, b.get(f));
    }
    for (String f : List.of("session_id", "request_id", "related_event_id", "reason")) {
      text(a, b, f);
    }
    a.append(HexFormat.of().formatHex(e.leafHash()));
    JsonNode version = b.get("leaf_version");
    if (version == null || !version.canConvertToInt()) {
      a.appendNull();
    } else {
      a.append(version.intValue());
    }
    a.append(e.body());
    a.endRow();
  }

  private static void text(DuckDBAppender a, JsonNode o, String field) throws SQLException {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      a.appendNull();
    } else {
      a.append(v.isTextual() ? v.textValue() : v.toString());
    }
  }

  private static void jsonText(DuckDBAppender a, @Nullable JsonNode v) throws SQLException {
    if (v == null || v.isNull()) {
      a.appendNull();
    } else {
      a.append(v.toString());
    }
  }

  private static void timestamp(DuckDBAppender a, @Nullable String text) throws SQLException {
    if (text == null) {
      a.appendNull();
      return;
    }
    try {
      a.append(LocalDateTime.ofInstant(Times.parse(text), ZoneOffset.UTC));
    } catch (IllegalArgumentException notATime) {
      a.appendNull(); // the sequencer wrote it, so this does not happen; a NULL beats a failure
    }
  }
}
