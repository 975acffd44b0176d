package dev.vellum.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The storage limit Vellum is measured against: the same rows of the durable commit path (the event
 * row; the search index is built after commit, in another file) written into the same schema and
 * page size — Vellum's own Flyway migrations from {@code classpath:db/sqlite}, so the same tables
 * and indexes — with the same pragmas (WAL, {@code synchronous=FULL}, 128 MiB page cache, temp
 * store in memory) and the same statements, by one JDBC connection, one commit per {@code batch}
 * rows (see {@link BaselineRows}).
 */
final class RawSqliteBaseline {

  private RawSqliteBaseline() {}

  /**
   * Inserts {@code rows} rows made from {@code events} (cycled) into a fresh file in a temp dir.
   */
  static BaselineRows.Result run(List<ObjectNode> events, long rows, int batch) {
    BaselineRows templates = new BaselineRows(events);
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
        seconds = templates.insert(c, rows, batch);
        stored = BaselineRows.countEvents(c);
        c.commit();
      }
      long size = 0;
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        Path p = dir.resolve("raw.db" + suffix);
        size += Files.exists(p) ? Files.size(p) : 0;
      }
      return new BaselineRows.Result(rows, seconds, stored, size);
    } catch (SQLException e) {
      throw new IllegalStateException("raw SQLite baseline failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      Target.deleteTree(dir);
    }
  }
}
