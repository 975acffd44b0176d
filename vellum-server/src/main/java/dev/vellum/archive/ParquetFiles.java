package dev.vellum.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.store.NewEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.jspecify.annotations.Nullable;

/**
 * Writes and reads archive Parquet files with an in-memory embedded DuckDB (STACK.md): rows go in
 * through the Appender, out with {@code COPY … (FORMAT PARQUET, COMPRESSION ZSTD)}. One connection,
 * opened on first use (loading DuckDB's native library costs a moment, which a node that never
 * seals should not pay) and used by one caller at a time. DuckDB runs single-threaded here so that
 * the same rows always give the same bytes: a file sealed again after a crash gets the same key.
 */
final class ParquetFiles implements AutoCloseable {
  /** The file's columns, in order: the archive contract (docs/archive.md). */
  static final String COLUMNS =
      "id VARCHAR, tenant VARCHAR, seq BIGINT, occurred_at TIMESTAMP, received_at TIMESTAMP,"
          + " source VARCHAR, type VARCHAR, category VARCHAR, outcome VARCHAR, severity VARCHAR,"
          + " actor_type VARCHAR, actor_id VARCHAR, actor_name VARCHAR, actor_ip VARCHAR,"
          + " actor_user_agent VARCHAR, actor_device VARCHAR, actor_location VARCHAR,"
          + " targets VARCHAR, changes VARCHAR, tags VARCHAR, metadata VARCHAR,"
          + " session_id VARCHAR, request_id VARCHAR, related_event_id VARCHAR, reason VARCHAR,"
          + " leaf_hash VARCHAR, leaf_version INTEGER, body VARCHAR";

  /** One row as read back: what verification and serving need. */
  record Row(long seq, String id, String leafHashHex, int leafVersion, String body) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private @Nullable DuckDBConnection connection;

  private synchronized DuckDBConnection connection() throws SQLException {
    DuckDBConnection c = connection;
    if (c == null) {
      c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
      try (Statement s = c.createStatement()) {
        s.execute("SET threads = 1");
        s.execute("SET memory_limit = '512MB'");
        s.execute("SET preserve_insertion_order = true");
      }
      connection = c;
    }
    return c;
  }

  /** Writes {@code events} (sorted by seq) as one zstd Parquet file at {@code target}. */
  synchronized void seal(List<NewEvent> events, Path target) throws IOException {
    try {
      DuckDBConnection c = connection();
      try (Statement s = c.createStatement()) {
        s.execute("CREATE OR REPLACE TABLE seal_rows (" + COLUMNS + ")");
      }
      try (DuckDBAppender a = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "seal_rows")) {
        for (NewEvent e : events) {
          append(a, e);
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute(
            "COPY (SELECT * FROM seal_rows ORDER BY seq) TO "
                + literal(target)
                + " (FORMAT PARQUET, COMPRESSION ZSTD)");
        s.execute("DROP TABLE seal_rows");
      }
    } catch (SQLException e) {
      throw new IOException("could not write Parquet file " + target + ": " + e.getMessage(), e);
    }
  }

  /** Every row of the file, in seq order. */
  synchronized List<Row> read(Path file) throws IOException {
    return query(file, "");
  }

  /** The row of event {@code id}, if the file has it. */
  synchronized @Nullable Row find(Path file, String id) throws IOException {
    List<Row> rows = query(file, id);
    return rows.isEmpty() ? null : rows.get(0);
  }

  private List<Row> query(Path file, String id) throws IOException {
    String sql =
        "SELECT seq, id, leaf_hash, leaf_version, body FROM read_parquet("
            + literal(file)
            + ")"
            + (id.isEmpty() ? "" : " WHERE id = ?")
            + " ORDER BY seq";
    try (PreparedStatement ps = connection().prepareStatement(sql)) {
      if (!id.isEmpty()) {
        ps.setString(1, id);
      }
      List<Row> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new Row(
                  rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5)));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IOException("could not read Parquet file " + file + ": " + e.getMessage(), e);
    }
  }

  /** A path as an SQL string literal: DuckDB's COPY and read_parquet take no parameters. */
  private static String literal(Path path) {
    return "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
  }

  private static void append(DuckDBAppender a, NewEvent e) throws SQLException, IOException {
    JsonNode b = JSON.readTree(e.body());
    JsonNode actor = b.path("actor");
    a.beginRow();
    a.append(e.id());
    a.append(e.tenant());
    a.append(e.seq());
    a.appendEpochMicros(e.occurredAtMicros());
    a.appendEpochMicros(e.receivedAtMicros());
    a.append(e.source());
    a.append(e.type());
    a.append(e.category());
    a.append(e.outcome());
    a.append(e.severity());
    text(a, actor.get("type"));
    text(a, actor.get("id"));
    text(a, actor.get("name"));
    text(a, actor.get("ip"));
    text(a, actor.get("user_agent"));
    json(a, actor.get("device"));
    json(a, actor.get("location"));
    json(a, b.get("targets"));
    json(a, b.get("changes"));
    json(a, b.get("tags"));
    json(a, b.get("metadata"));
    text(a, b.get("session_id"));
    text(a, b.get("request_id"));
    text(a, b.get("related_event_id"));
    text(a, b.get("reason"));
    a.append(HexFormat.of().formatHex(e.leafHash()));
    a.append(b.path("leaf_version").asInt(1));
    a.append(e.body());
    a.endRow();
  }

  private static void text(DuckDBAppender a, @Nullable JsonNode v) throws SQLException {
    if (v == null || v.isNull() || v.isMissingNode()) {
      a.appendNull();
    } else {
      a.append(v.isValueNode() ? v.asText() : v.toString());
    }
  }

  private static void json(DuckDBAppender a, @Nullable JsonNode v) throws SQLException {
    if (v == null || v.isNull() || v.isMissingNode()) {
      a.appendNull();
    } else {
      a.append(v.toString());
    }
  }

  @Override
  public synchronized void close() {
    DuckDBConnection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing an in-memory database loses nothing
      }
    }
  }
}
