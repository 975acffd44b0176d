package dev.vellum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The storage limit Vellum is measured against: the same rows of the durable commit path (the
 * event row; the search index is built after commit, in another file) written into the same
 * schema and page size — Vellum's own Flyway migrations from
 * {@code classpath:db/sqlite}, so the same tables and indexes — with the same pragmas (WAL,
 * {@code synchronous=FULL}, 128 MiB page cache, temp store in memory) and the same statements,
 * by one JDBC connection, one commit per {@code batch} rows. No HTTP, no parsing, no validation,
 * no canonicalisation, no hashing: the leaf hash column gets random bytes.
 *
 * <p>Row contents are prepared before the clock starts; inside the timed loop each row only gets
 * a fresh UUIDv7 id and the current time patched into a copy of its body.
 */
final class RawSqliteBaseline {

  /**
   * Rows written, seconds taken, rows counted in the file afterwards (a check that every row
   * landed) and the size of the database file with its WAL.
   */
  record Result(long rows, double seconds, long rowsStored, long fileBytes) {
    double rowsPerSecond() {
      return seconds == 0 ? 0 : rows / seconds;
    }
  }

  private record Row(String type, String category, String source, String outcome,
      String severity, String actorId, String actorIp, String sessionId, char[] body, int idAt,
      int timeAt) {}

  private static final String TENANT = "default";
  private static final String INSERT_EVENT = "INSERT INTO events (tenant, seq, id, occurred_at,"
      + " received_at, type, category, source, outcome, severity, actor_id, actor_ip, session_id,"
      + " leaf_hash, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

  private RawSqliteBaseline() {}

  /** Inserts {@code rows} rows made from {@code events} (cycled) into a fresh file in a temp dir. */
  static Result run(List<ObjectNode> events, long rows, int batch) {
    List<Row> templates = new ArrayList<>(events.size());
    for (ObjectNode e : events) {
      templates.add(row(e));
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("vellum-bench-raw-sqlite");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path file = dir.resolve("raw.db");
    try {
      SQLiteConfig config = new SQLiteConfig();
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
      config.setBusyTimeout(15_000);
      config.setTempStore(SQLiteConfig.TempStore.MEMORY);
      SQLiteDataSource source = new SQLiteDataSource(config);
      source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
      dev.vellum.store.sqlite.SqliteDatabase.createWithLargePages(file); // same pages as Vellum
      Flyway.configure().dataSource(source).locations("classpath:db/sqlite").load().migrate();
      double seconds;
      long stored;
      try (Connection c = source.getConnection()) {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.execute("PRAGMA cache_size=-131072");
        }
        c.commit();
        long start = System.nanoTime();
        insert(c, templates, rows, batch);
        seconds = (System.nanoTime() - start) / 1e9;
        stored = countEvents(c);
        c.commit();
      }
      long size = 0;
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        Path p = dir.resolve("raw.db" + suffix);
        size += Files.exists(p) ? Files.size(p) : 0;
      }
      return new Result(rows, seconds, stored, size);
    } catch (SQLException e) {
      throw new IllegalStateException("raw SQLite baseline failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      Target.deleteTree(dir);
    }
  }

  private static void insert(Connection c, List<Row> templates, long rows, int batch)
      throws SQLException {
    byte[] leaf = new byte[32];
    try (PreparedStatement ev = c.prepareStatement(INSERT_EVENT)) {
      long seq = 0;
      while (seq < rows) {
        long end = Math.min(rows, seq + batch);
        Instant now = Instant.now();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        char[] time = new String(RequestPool.formatTime(now),
            java.nio.charset.StandardCharsets.US_ASCII).toCharArray();
        for (; seq < end; seq++) {
          Row r = templates.get((int) (seq % templates.size()));
          String id = RequestPool.uuid7(now.toEpochMilli()).toString();
          char[] body = r.body().clone();
          id.getChars(0, id.length(), body, r.idAt());
          System.arraycopy(time, 0, body, r.timeAt(), time.length);
          ThreadLocalRandom.current().nextBytes(leaf);
          ev.setString(1, TENANT);
          ev.setLong(2, seq);
          ev.setString(3, id);
          ev.setLong(4, micros);
          ev.setLong(5, micros);
          ev.setString(6, r.type());
          ev.setString(7, r.category());
          ev.setString(8, r.source());
          ev.setString(9, r.outcome());
          ev.setString(10, r.severity());
          ev.setString(11, r.actorId());
          ev.setString(12, r.actorIp());
          ev.setString(13, r.sessionId());
          ev.setBytes(14, leaf);
          ev.setString(15, new String(body));
          ev.addBatch();
        }
        ev.executeBatch();
        c.commit();
      }
    }
  }

  private static long countEvents(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT count(*) FROM events")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Row row(ObjectNode event) {
    ObjectNode stored = event.deepCopy();
    stored.put("tenant", TENANT);
    stored.put("received_at", RequestPool.TIME_MARK);
    stored.put("seq", 1_000_000L);
    stored.put("leaf_version", 1);
    char[] body = stored.toString().toCharArray();
    String text = new String(body);
    int idAt = text.indexOf(RequestPool.ID_MARK);
    int timeAt = text.indexOf(RequestPool.TIME_MARK);
    JsonNode actor = event.path("actor");
    return new Row(event.path("type").asText(), event.path("category").asText(),
        event.path("source").asText(), event.path("outcome").asText("unknown"),
        event.path("severity").asText("info"), actor.path("id").asText(), textOrNull(actor, "ip"),
        textOrNull(event, "session_id"), body, idAt, timeAt);
  }

  private static String textOrNull(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }
}
