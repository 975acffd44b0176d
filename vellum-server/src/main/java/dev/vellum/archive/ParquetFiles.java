package dev.vellum.archive;

import dev.vellum.store.NewEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
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

  /**
   * The most event-body characters one {@code COPY} takes (a group larger than this takes one on
   * its own). DuckDB holds the rows of a {@code COPY} in memory, parsed into columns, so a seal of
   * a whole 64 MiB buffer (the default; up to 1 GiB can be configured) held about 150 MiB more
   * native memory at its peak and pushed the node over 1 GiB resident (docs/benchmarks.md, round
   * 7). Several {@code COPY}s per seal saved that much and made seals faster; a lower memory limit
   * instead (128 MB) saved as much but doubled the time of a seal.
   */
  static final long COPY_CHARS = 16L << 20;

  private final long copyChars;

  private static final HexFormat HEX = HexFormat.of();
  private @Nullable DuckDBConnection connection;

  ParquetFiles() {
    this(COPY_CHARS);
  }

  /** With {@code copyChars} in place of {@link #COPY_CHARS}: tests seal in smaller runs. */
  ParquetFiles(long copyChars) {
    this.copyChars = copyChars;
  }

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

  /**
   * Writes each group of {@code groups} (each sorted by seq) as one zstd Parquet file at the target
   * of the same index. Why one table and one {@code COPY … PARTITION_BY} for many groups: a seal of
   * live traffic holds a hundred or more (source, type, day) groups, and a table, an Appender and a
   * {@code COPY} per group cost ~60-120 ms each whatever the group's size (docs/benchmarks.md);
   * here the groups are taken in runs of about {@link #COPY_CHARS}, every row of a run is appended
   * once, tagged with its group's index, and one partitioned {@code COPY} writes every file of the
   * run in a single pass. The group column only names the folder DuckDB writes into ({@code
   * g=<index>/}); it is not a column of the files. {@code scratch} is a folder on the targets' file
   * system where DuckDB's partition folders are made and then moved to the targets.
   */
  synchronized void sealAll(List<List<NewEvent>> groups, List<Path> targets, Path scratch)
      throws IOException {
    if (groups.size() != targets.size()) {
      throw new IllegalArgumentException(groups.size() + " groups for " + targets.size());
    }
    int from = 0;
    while (from < groups.size()) {
      int to = from;
      long chars = 0;
      while (to < groups.size()) {
        long next = charsOf(groups.get(to));
        if (to > from && chars + next > copyChars) {
          break;
        }
        chars += next;
        to++;
      }
      copy(groups.subList(from, to), targets.subList(from, to), scratch);
      from = to;
    }
  }

  private static long charsOf(List<NewEvent> group) {
    long chars = 0;
    for (NewEvent e : group) {
      chars += e.body().length();
    }
    return chars;
  }

  /** One {@code COPY}: every group of {@code groups} to the target of the same index. */
  private void copy(List<List<NewEvent>> groups, List<Path> targets, Path scratch)
      throws IOException {
    Path out = Files.createTempDirectory(scratch, "partitions-");
    try {
      DuckDBConnection c = connection();
      try (Statement s = c.createStatement()) {
        s.execute("CREATE OR REPLACE TABLE seal_rows (" + COLUMNS + ", g INTEGER)");
      }
      BodyColumns columns = new BodyColumns();
      try (DuckDBAppender a = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "seal_rows")) {
        for (int g = 0; g < groups.size(); g++) {
          for (NewEvent e : groups.get(g)) {
            append(a, e, g, columns);
          }
        }
      }
      Path dir = out.resolve("p");
      try (Statement s = c.createStatement()) {
        // rows are appended group by group, each in seq order, and DuckDB runs single-threaded
        // with insertion order preserved, so each file holds its rows in seq order
        s.execute(
            "COPY seal_rows TO "
                + literal(dir)
                + " (FORMAT PARQUET, COMPRESSION ZSTD, PARTITION_BY (g),"
                + " FILENAME_PATTERN 'rows_{i}')");
        s.execute("DROP TABLE seal_rows");
      }
      for (int g = 0; g < groups.size(); g++) {
        Path written = dir.resolve("g=" + g).resolve("rows_0.parquet");
        if (!Files.isRegularFile(written)
            || Files.exists(written.resolveSibling("rows_1.parquet"))) {
          throw new IOException(
              "DuckDB did not write exactly one file for group " + g + " at " + written);
        }
        Files.move(written, targets.get(g), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (SQLException e) {
      throw new IOException(
          "could not write Parquet files under " + out + ": " + e.getMessage(), e);
    } finally {
      deleteTree(out);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      List<Path> all = paths.sorted(Comparator.reverseOrder()).toList();
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
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

  /**
   * Whether the file has a row the hold covers: its actor id, a target id, and its {@code
   * occurred_at} in the hold's range, as far as the hold names them.
   */
  synchronized boolean anyCovered(Path file, LegalHolds.Hold h) throws IOException {
    StringBuilder sql =
        new StringBuilder("SELECT count(*) FROM read_parquet(").append(literal(file)).append(")");
    List<String> params = new ArrayList<>();
    String and = " WHERE ";
    if (h.actorId() != null) {
      sql.append(and).append("actor_id = ?");
      params.add(h.actorId());
      and = " AND ";
    }
    if (h.targetId() != null) {
      sql.append(and).append("list_contains(json_extract_string(targets, '$[*].id'), ?)");
      params.add(h.targetId());
      and = " AND ";
    }
    if (h.from() != null) {
      sql.append(and).append("occurred_at >= CAST(? AS TIMESTAMP)");
      params.add(timestamp(h.from()));
      and = " AND ";
    }
    if (h.to() != null) {
      sql.append(and).append("occurred_at < CAST(? AS TIMESTAMP)");
      params.add(timestamp(h.to()));
    }
    try (PreparedStatement ps = connection().prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) {
        ps.setString(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getLong(1) > 0;
      }
    } catch (SQLException e) {
      throw new IOException("could not read Parquet file " + file + ": " + e.getMessage(), e);
    }
  }

  /** An instant as DuckDB's TIMESTAMP text (UTC, no zone: the archive's columns are UTC). */
  private static String timestamp(java.time.Instant t) {
    return java.time.LocalDateTime.ofInstant(t, java.time.ZoneOffset.UTC).toString();
  }

  /** A path as an SQL string literal: DuckDB's COPY and read_parquet take no parameters. */
  private static String literal(Path path) {
    return "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
  }

  private static void append(DuckDBAppender a, NewEvent e, int group, BodyColumns b)
      throws SQLException, IOException {
    b.read(e.body());
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
    for (int c = 0; c < BodyColumns.COUNT; c++) {
      String v = b.get(c);
      if (v == null) {
        a.appendNull();
      } else {
        a.append(v);
      }
    }
    a.append(HEX.formatHex(e.leafHash()));
    a.append(b.leafVersion());
    a.append(e.body());
    a.append(group);
    a.endRow();
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
