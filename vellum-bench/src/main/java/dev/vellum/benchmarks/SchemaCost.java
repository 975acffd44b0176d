package dev.vellum.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.sample.SampleEvents;
import java.nio.file.*;
import java.sql.*;
import java.time.Instant;
import java.util.*;
import org.flywaydb.core.Flyway;
import org.sqlite.*;

/**
 * Which part of the V1 SQLite schema costs what: the raw baseline's inserts (same statements, WAL,
 * synchronous=FULL, 500 rows per commit) on fresh files, with parts of the schema left out. Not a
 * JMH benchmark: {@code java -cp bench/target/benchmarks.jar dev.vellum.benchmarks.SchemaCost
 * 20000}.
 */
class SchemaCost {
  /**
   * The single-file schema this tool was written to take apart (commit 1074e79): the search indexes
   * now live in search.db and are built after commit, so they are recreated here to keep the
   * breakdown in docs/benchmarks.md reproducible.
   */
  static final String[] LEGACY_SCHEMA = {
    "CREATE INDEX IF NOT EXISTS events_actor ON events(tenant, actor_id, occurred_at, seq)",
    "CREATE INDEX IF NOT EXISTS events_type ON events(tenant, type, occurred_at, seq)",
    "CREATE INDEX IF NOT EXISTS events_actor_ip ON events(tenant, actor_ip, occurred_at, seq)"
        + " WHERE actor_ip IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS events_session ON events(tenant, session_id, occurred_at, seq)"
        + " WHERE session_id IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS event_targets (tenant TEXT NOT NULL, target_type TEXT NOT NULL,"
        + " target_id TEXT NOT NULL, occurred_at INTEGER NOT NULL, seq INTEGER NOT NULL,"
        + " PRIMARY KEY (tenant, target_type, target_id, occurred_at, seq)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS event_tags (tenant TEXT NOT NULL, tag TEXT NOT NULL,"
        + " occurred_at INTEGER NOT NULL, seq INTEGER NOT NULL,"
        + " PRIMARY KEY (tenant, tag, occurred_at, seq)) WITHOUT ROWID",
    "CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(text, content='',"
        + " contentless_delete=1, tokenize='unicode61 remove_diacritics 2')",
  };

  static void text(JsonNode n, StringBuilder sb) {
    if (n.isTextual() || n.isNumber()) sb.append(n.asText()).append(' ');
    else for (JsonNode c : n) text(c, sb);
  }

  public static void main(String[] a) throws Exception {
    int rows = Integer.parseInt(a[0]);
    SampleEvents s = new SampleEvents(1);
    List<ObjectNode> ev = new ArrayList<>();
    for (int i = 0; i < 2000; i++) ev.add(s.next(Instant.now(), "DEMO_APP", 1024));
    String[][] variants = {
      {"full V1 schema"},
      {"no FTS rows", "fts"},
      {"no FTS, no targets/tags rows", "fts", "tt"},
      {
        "no FTS/targets/tags, no secondary indexes on events",
        "fts",
        "tt",
        "DROP INDEX events_time",
        "DROP INDEX events_actor",
        "DROP INDEX events_type",
        "DROP INDEX events_actor_ip",
        "DROP INDEX events_session"
      },
      {
        "all rows, but no events_actor/type/actor_ip/session indexes",
        "DROP INDEX events_actor",
        "DROP INDEX events_type",
        "DROP INDEX events_actor_ip",
        "DROP INDEX events_session"
      },
    };
    for (String[] v : variants) {
      Path dir = Files.createTempDirectory("schemacost");
      SQLiteConfig c = new SQLiteConfig();
      c.setJournalMode(SQLiteConfig.JournalMode.WAL);
      c.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
      c.setTempStore(SQLiteConfig.TempStore.MEMORY);
      SQLiteDataSource ds = new SQLiteDataSource(c);
      ds.setUrl("jdbc:sqlite:" + dir.resolve("x.db"));
      Flyway.configure().dataSource(ds).locations("classpath:db/sqlite").load().migrate();
      Set<String> opts = new HashSet<>(Arrays.asList(v));
      try (Connection con = ds.getConnection()) {
        con.setAutoCommit(false);
        try (Statement st = con.createStatement()) {
          st.execute("PRAGMA cache_size=-131072");
          for (String legacy : LEGACY_SCHEMA) {
            st.execute(legacy);
          }
          for (String x : v) if (x.startsWith("DROP")) st.execute(x);
        }
        con.commit();
        PreparedStatement e =
            con.prepareStatement(
                "INSERT INTO events (tenant, seq, id, occurred_at, received_at, type, category, source, outcome, severity, actor_id, actor_ip, session_id, leaf_hash, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                Statement.RETURN_GENERATED_KEYS);
        PreparedStatement tg =
            con.prepareStatement(
                "INSERT OR IGNORE INTO event_targets (tenant, target_type, target_id, occurred_at, seq) VALUES (?,?,?,?,?)");
        PreparedStatement tag =
            con.prepareStatement(
                "INSERT OR IGNORE INTO event_tags (tenant, tag, occurred_at, seq) VALUES (?,?,?,?)");
        PreparedStatement fts =
            con.prepareStatement("INSERT INTO events_fts (rowid, text) VALUES (?,?)");
        Random r = new Random(1);
        byte[] leaf = new byte[32];
        long t0 = System.nanoTime();
        for (int i = 0; i < rows; i++) {
          ObjectNode o = ev.get(i % ev.size());
          long now = System.currentTimeMillis() * 1000;
          long ms = now / 1000;
          String id =
              new UUID(
                      (ms << 16) | 0x7000 | r.nextInt(4096),
                      (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
                  .toString();
          r.nextBytes(leaf);
          e.setString(1, "default");
          e.setLong(2, i);
          e.setString(3, id);
          e.setLong(4, now);
          e.setLong(5, now);
          e.setString(6, o.path("type").asText());
          e.setString(7, o.path("category").asText());
          e.setString(8, "DEMO_APP");
          e.setString(9, o.path("outcome").asText());
          e.setString(10, o.path("severity").asText());
          e.setString(11, o.path("actor").path("id").asText());
          e.setString(12, o.path("actor").path("ip").asText(null));
          e.setString(13, o.path("session_id").asText(null));
          e.setBytes(14, leaf);
          e.setString(15, o.toString());
          e.executeUpdate();
          long pk;
          try (ResultSet k = e.getGeneratedKeys()) {
            k.next();
            pk = k.getLong(1);
          }
          if (!opts.contains("tt")) {
            for (JsonNode t : o.path("targets")) {
              tg.setString(1, "default");
              tg.setString(2, t.path("type").asText());
              tg.setString(3, t.path("id").asText());
              tg.setLong(4, now);
              tg.setLong(5, i);
              tg.addBatch();
            }
            for (JsonNode t : o.path("tags")) {
              tag.setString(1, "default");
              tag.setString(2, t.asText());
              tag.setLong(3, now);
              tag.setLong(4, i);
              tag.addBatch();
            }
          }
          if (!opts.contains("fts")) {
            fts.setLong(1, pk);
            StringBuilder sb = new StringBuilder();
            text(o, sb);
            fts.setString(2, sb.toString().toLowerCase(Locale.ROOT));
            fts.addBatch();
          }
          if (i % 500 == 499 || i == rows - 1) {
            tg.executeBatch();
            tag.executeBatch();
            fts.executeBatch();
            con.commit();
          }
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        long size = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
          for (Path p : files) size += Files.size(p);
        }
        System.out.printf("%-60s %8.0f rows/s  %6d bytes/row%n", v[0], rows / sec, size / rows);
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path p : files) Files.delete(p);
      }
      Files.delete(dir);
    }
  }
}
