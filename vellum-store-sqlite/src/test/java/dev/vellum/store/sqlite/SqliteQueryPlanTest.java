package dev.vellum.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plans SQLite picks for the reads whose cost grows with the store. */
class SqliteQueryPlanTest {
  @TempDir Path dir;

  @Test
  void readsEventsByPositionThroughTheRowidAlone() throws SQLException {
    assertEquals(List.of("SEARCH e USING INTEGER PRIMARY KEY (rowid=?)"), plan(findIn("pk", 3)));
  }

  @Test
  void readsEventsBySeqThroughTheTenantSeqIndex() throws SQLException {
    assertEquals(
        List.of("SEARCH e USING INDEX events_tenant_seq (tenant=? AND seq=?)"),
        plan(findIn("seq", 3)));
  }

  private static String findIn(String column, int n) {
    return SqliteEventStore.findInSql(column, n);
  }

  private List<String> plan(String sql) throws SQLException {
    try (SqliteDatabase db = SqliteDatabase.open(dir);
        Connection c = db.read();
        PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
      for (int i = 1; i <= ps.getParameterMetaData().getParameterCount(); i++) {
        ps.setLong(i, i);
      }
      List<String> steps = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          steps.add(rs.getString("detail"));
        }
      }
      return steps;
    }
  }
}
