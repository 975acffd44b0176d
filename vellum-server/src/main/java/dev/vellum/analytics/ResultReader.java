package dev.vellum.analytics;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Blob;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads a result set into rows of JSON-friendly cells, stopping at the row and size limits. A
 * TIMESTAMP (always UTC in the view) is written as RFC 3339 with {@code Z}; numbers stay numbers
 * (NaN and infinities become text), blobs become base64 and nested values their DuckDB text.
 */
final class ResultReader {
  private ResultReader() {}

  record Read(
      List<QueryResult.Column> columns,
      List<List<@Nullable Object>> rows,
      @Nullable String truncated) {}

  static Read read(ResultSet r, int maxRows, long maxBytes) throws SQLException {
    ResultSetMetaData md = r.getMetaData();
    int n = md.getColumnCount();
    List<QueryResult.Column> columns = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      columns.add(new QueryResult.Column(md.getColumnLabel(i), md.getColumnTypeName(i)));
    }
    List<List<@Nullable Object>> rows = new ArrayList<>();
    long bytes = 0;
    String truncated = null;
    while (r.next()) {
      if (rows.size() >= maxRows) {
        truncated = "max_rows";
        break;
      }
      List<@Nullable Object> row = new ArrayList<>(n);
      for (int i = 1; i <= n; i++) {
        Object cell = cell(r, i, columns.get(i - 1).type());
        bytes += cell == null ? 4 : cell.toString().length() + 2;
        row.add(cell);
      }
      if (bytes > maxBytes) {
        truncated = "max_result_bytes";
        break;
      }
      rows.add(row);
    }
    return new Read(columns, rows, truncated);
  }

  private static @Nullable Object cell(ResultSet r, int i, String type) throws SQLException {
    if (type.equals("TIMESTAMP")) {
      LocalDateTime t = r.getObject(i, LocalDateTime.class);
      return t == null ? null : t + "Z";
    }
    Object v = r.getObject(i);
    if (v == null || v instanceof Boolean || v instanceof String) {
      return v;
    }
    if (v instanceof Double d) {
      return d.isNaN() || d.isInfinite() ? d.toString() : d;
    }
    if (v instanceof Float f) {
      return f.isNaN() || f.isInfinite() ? f.toString() : f;
    }
    if (v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte
        || v instanceof BigInteger
        || v instanceof BigDecimal) {
      return v;
    }
    if (v instanceof Blob b) {
      return Base64.getEncoder().encodeToString(b.getBytes(1, (int) Math.min(b.length(), 1 << 20)));
    }
    return v.toString();
  }
}
