package dev.vellum.store.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A tenant's next seq and the feed's last position. Both are max()+1 over the events, which would
 * go back when hot retention deletes the newest events; the heads a deletion saw are kept in {@code
 * events_deleted_heads} and the larger of the two counts. Appends never write that table, so the
 * commit path stays as it was.
 */
final class SqliteHeads {
  private SqliteHeads() {}

  static long nextSeq(Connection c, String tenant) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT max(coalesce((SELECT max(seq) + 1 FROM events WHERE tenant = ?1), 0),"
                + " coalesce((SELECT next_seq FROM events_deleted_heads WHERE tenant = ?1), 0))")) {
      ps.setString(1, tenant);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  static long lastPk(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT max(coalesce((SELECT max(pk) FROM events), 0),"
                    + " coalesce((SELECT max(last_pk) FROM events_deleted_heads), 0))");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
