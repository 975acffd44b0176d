package dev.vellum.migrate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses a migration whose source or target has tables or columns that {@link Tables} does not
 * know: a later schema version would otherwise lose data without a word.
 */
final class SchemaCheck {
  private SchemaCheck() {}

  /** What differs, one line each; empty when both schemas are the ones {@link Tables} copies. */
  static List<String> differences(Connection sqlite, Connection postgres, String schema)
      throws SQLException {
    List<String> out = new ArrayList<>();
    Set<String> known = new TreeSet<>();
    for (Tables.Table t : Tables.ALL) {
      known.add(t.name());
    }
    Set<String> sqliteTables = new TreeSet<>();
    try (Statement s = sqlite.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                    + " AND name NOT LIKE 'sqlite_%' AND name <> 'flyway_schema_history'")) {
      while (rs.next()) {
        sqliteTables.add(rs.getString(1));
      }
    }
    Set<String> pgTables = new TreeSet<>();
    try (PreparedStatement ps =
        postgres.prepareStatement(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
                + " AND c.relname <> 'flyway_schema_history'")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          pgTables.add(rs.getString(1));
        }
      }
    }
    pgTables.removeAll(Tables.DERIVED);
    sqliteTables.remove(Tables.SQLITE_DELETED_HEADS);
    for (String t : sqliteTables) {
      if (!known.contains(t)) {
        out.add("the SQLite database has a table migrate does not know: " + t);
      }
    }
    for (String t : pgTables) {
      if (!known.contains(t)) {
        out.add("the PostgreSQL schema has a table migrate does not know: " + t);
      }
    }
    for (Tables.Table t : Tables.ALL) {
      Set<String> want = new TreeSet<>();
      Set<String> wantPg = new TreeSet<>();
      for (Tables.Column c : t.columns()) {
        want.add(c.sqlite());
        wantPg.add(c.postgres());
      }
      if (!sqliteTables.contains(t.name())) {
        out.add("the SQLite database lacks table " + t.name());
      } else {
        Set<String> have = sqliteColumns(sqlite, t.name());
        if (!have.equals(want)) {
          out.add("SQLite table " + t.name() + " has columns " + have + ", migrate copies " + want);
        }
      }
      if (!pgTables.contains(t.name())) {
        out.add("the PostgreSQL schema lacks table " + t.name());
      } else {
        Set<String> have = postgresColumns(postgres, schema, t.name());
        if (!have.equals(wantPg)) {
          out.add(
              "PostgreSQL table "
                  + t.name()
                  + " has columns "
                  + have
                  + ", migrate fills "
                  + wantPg);
        }
      }
    }
    return out;
  }

  private static Set<String> sqliteColumns(Connection c, String table) throws SQLException {
    Set<String> out = new TreeSet<>();
    // the table name comes from Tables, never from input
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
      while (rs.next()) {
        out.add(rs.getString("name"));
      }
    }
    return out;
  }

  private static Set<String> postgresColumns(Connection c, String schema, String table)
      throws SQLException {
    Set<String> out = new TreeSet<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT column_name FROM information_schema.columns"
                + " WHERE table_schema = ? AND table_name = ?")) {
      ps.setString(1, schema);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }
}
