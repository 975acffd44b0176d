package dev.vellum.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The same baseline as {@link RawSqliteBaseline} on a PostgreSQL server: the commit path's {@code
 * events} table with its three indexes (in order, idempotency, time), written in a fresh schema
 * that is dropped afterwards, by one connection, one {@code COPY} and one durable commit ({@code
 * synchronous_commit=on}) per {@code batch} rows. It measures what the server can store; Vellum's
 * own PostgreSQL engine is measured against it once it exists.
 */
final class RawPostgresBaseline {
  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  /** The columns and indexes of {@code db/sqlite/V1__events_and_directory.sql}, in PostgreSQL. */
  private static final List<String> SCHEMA =
      List.of(
          "CREATE TABLE events (pk BIGSERIAL PRIMARY KEY, tenant TEXT NOT NULL,"
              + " seq BIGINT NOT NULL, id TEXT NOT NULL, occurred_at BIGINT NOT NULL,"
              + " received_at BIGINT NOT NULL, type TEXT NOT NULL, category TEXT NOT NULL,"
              + " source TEXT NOT NULL, outcome TEXT NOT NULL, severity TEXT NOT NULL,"
              + " actor_id TEXT NOT NULL, actor_ip TEXT, session_id TEXT, leaf_hash BYTEA NOT NULL,"
              + " body TEXT NOT NULL)",
          "CREATE UNIQUE INDEX events_tenant_seq ON events (tenant, seq)",
          "CREATE UNIQUE INDEX events_tenant_id ON events (tenant, id)",
          "CREATE INDEX events_time ON events (tenant, occurred_at, seq)");

  private RawPostgresBaseline() {}

  /** Inserts {@code rows} rows made from {@code events} (cycled) into a fresh schema. */
  static BaselineRows.Result run(List<ObjectNode> events, long rows, int batch, String url) {
    BaselineRows templates = new BaselineRows(events);
    String schema =
        "vellum_baseline_" + System.currentTimeMillis() + "_" + ProcessHandle.current().pid();
    try (Connection c = DriverManager.getConnection(withBatchRewrite(url))) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA " + schema);
        s.execute("SET search_path TO " + schema);
        s.execute("SET synchronous_commit TO on");
        for (String ddl : SCHEMA) {
          s.execute(ddl);
        }
      }
      c.setAutoCommit(false);
      try {
        double seconds = templates.copy(c, rows, batch);
        long stored = BaselineRows.countEvents(c);
        long bytes = tableBytes(c);
        c.commit();
        return new BaselineRows.Result(rows, seconds, stored, bytes);
      } finally {
        c.rollback();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          s.execute("DROP SCHEMA " + schema + " CASCADE");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "raw PostgreSQL baseline failed (" + url + "): " + e.getMessage(), e);
    }
  }

  /** Batched INSERTs are sent as multi-row statements, as a tuned writer would. */
  private static String withBatchRewrite(String url) {
    return url.contains("reWriteBatchedInserts")
        ? url
        : url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
  }

  private static long tableBytes(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('events')")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
