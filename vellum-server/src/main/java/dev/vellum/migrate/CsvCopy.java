package dev.vellum.migrate;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import org.postgresql.copy.CopyIn;

/**
 * Rows of one table streamed into {@code COPY … FROM STDIN (FORMAT csv)}, a chunk of about a
 * megabyte at a time, so memory stays bounded whatever the table's size. In CSV a NULL is an empty
 * unquoted field and every text value is quoted, so an empty string stays an empty string; bytea
 * goes in its hex form ({@code \x…}).
 */
final class CsvCopy {
  private static final int CHUNK_CHARS = 1 << 20;

  private final CopyIn copy;
  private final Tables.Table table;
  private final StringBuilder chunk = new StringBuilder(CHUNK_CHARS + 64 * 1024);

  CsvCopy(CopyIn copy, Tables.Table table) {
    this.copy = copy;
    this.table = table;
  }

  /** Appends the current row of {@code rs}, whose columns are in {@link Tables.Table} order. */
  void row(ResultSet rs) throws SQLException {
    int i = 1;
    for (Tables.Column c : table.columns()) {
      if (i > 1) {
        chunk.append(',');
      }
      switch (c.type()) {
        case LONG -> {
          long v = rs.getLong(i);
          if (!rs.wasNull()) {
            chunk.append(v);
          }
        }
        case TEXT -> {
          String v = rs.getString(i);
          if (v != null) {
            chunk.append('"').append(v.replace("\"", "\"\"")).append('"');
          }
        }
        case BYTES -> {
          byte[] v = rs.getBytes(i);
          if (v != null) {
            chunk.append("\\x").append(HexFormat.of().formatHex(v));
          }
        }
      }
      i++;
    }
    chunk.append('\n');
    if (chunk.length() >= CHUNK_CHARS) {
      flush();
    }
  }

  /** Sends the rows appended since the last flush. */
  void flush() throws SQLException {
    if (chunk.length() > 0) {
      byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
      copy.writeToCopy(bytes, 0, bytes.length);
      chunk.setLength(0);
    }
  }

  /** Sends the rest and ends the COPY; returns the rows PostgreSQL took. */
  long finish() throws SQLException {
    flush();
    return copy.endCopy();
  }

  /** Abandons the COPY after a failure; the transaction is rolled back by the caller. */
  void cancel() {
    try {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
    } catch (SQLException ignored) {
      // already failing: the first error is the one to report
    }
  }

  /** The COPY statement for {@code table}. */
  static String statement(Tables.Table table) {
    StringBuilder sql = new StringBuilder("COPY ").append(table.name()).append(" (");
    for (int i = 0; i < table.columns().size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(table.columns().get(i).postgres());
    }
    return sql.append(") FROM STDIN WITH (FORMAT csv)").toString();
  }

  /** The SQLite query that reads {@code table} in copy order. */
  static String select(Tables.Table table) {
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < table.columns().size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(table.columns().get(i).sqlite());
    }
    return sql.append(" FROM ")
        .append(table.name())
        .append(" ORDER BY ")
        .append(table.orderBy())
        .toString();
  }
}
