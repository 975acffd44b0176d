package dev.vellum.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vellum.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * One SQLite database file in WAL mode: a single writer connection owned by the sequencer, and a
 * small pool of connections for reads and rare administrative writes.
 *
 * <p>{@code synchronous=FULL} makes every commit wait for fsync of the WAL, which is what lets the
 * sequencer acknowledge an event only once it is durable.
 */
public final class SqliteDatabase implements AutoCloseable {
  private final Path file;
  private final HikariDataSource pool;

  /** The database file in the data dir. */
  public static final String FILE_NAME = "vellum.db";

  private final SQLiteDataSource source;
  private Connection writer;

  private SqliteDatabase(
      Path file, HikariDataSource pool, SQLiteDataSource source, Connection writer) {
    this.file = file;
    this.pool = pool;
    this.source = source;
    this.writer = writer;
  }

  /**
   * Opens (creating if needed) {@code dataDir/vellum.db} and applies pending migrations. The search
   * index of earlier versions ({@code search.db}, now replaced by the Lucene index) is deleted: it
   * was derived data.
   */
  public static SqliteDatabase open(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME);
    try {
      Files.createDirectories(dataDir);
      for (String old : new String[] {"search.db", "search.db-wal", "search.db-shm"}) {
        Files.deleteIfExists(dataDir.resolve(old));
      }
      createWithLargePages(file);
      SQLiteDataSource source = dataSource(file);
      Flyway.configure().dataSource(source).locations("classpath:db/sqlite").load().migrate();
      Connection writer = openWriter(source);
      HikariConfig hc = new HikariConfig();
      hc.setDataSource(source);
      hc.setMaximumPoolSize(4);
      hc.setPoolName("vellum-sqlite-read");
      return new SqliteDatabase(file, new HikariDataSource(hc), source, writer);
    } catch (SQLException | java.io.IOException | RuntimeException e) {
      throw new StoreException("cannot open database " + file + ": " + e.getMessage(), e, false);
    }
  }

  /**
   * Creates a new database file with 16 KiB pages, which hold about twelve ~1.3 KiB event rows;
   * with the default 4 KiB pages only two fit and a third of every page is wasted. The page size of
   * a file is fixed once it is in WAL mode, so this runs before anything else touches it.
   */
  public static void createWithLargePages(Path file) throws SQLException {
    if (Files.exists(file)) {
      return;
    }
    try (Connection c =
            java.sql.DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        Statement s = c.createStatement()) {
      s.execute("PRAGMA page_size=16384");
      s.execute("PRAGMA journal_mode=WAL");
    }
  }

  /**
   * The writer's page cache in KiB. It is native memory outside the heap, so it counts fully
   * towards the node's resident size; the indexes a 10 M-event store writes into are far larger
   * than any cache here, and the pages it misses come from the operating system's page cache
   * (docs/benchmarks.md, round 6).
   */
  static final int WRITER_CACHE_KIB = 32 * 1024;

  private static Connection openWriter(SQLiteDataSource source) throws SQLException {
    Connection writer = source.getConnection();
    writer.setAutoCommit(false);
    try (Statement s = writer.createStatement()) {
      s.execute("PRAGMA cache_size=-" + WRITER_CACHE_KIB);
    }
    return writer;
  }

  /**
   * Replaces the writer connection after a failed commit. SQLite may already have rolled the
   * transaction back itself (SQLITE_FULL, I/O errors), which leaves the driver's idea of the
   * transaction out of step; a fresh connection is the only state that is surely clean.
   */
  void resetWriter() {
    try {
      writer.close();
    } catch (SQLException ignored) {
      // the connection is being discarded because it failed
    }
    try {
      writer = openWriter(source);
    } catch (SQLException e) {
      throw new StoreException(
          "cannot reopen the database " + file + ": " + e.getMessage(), e, true);
    }
  }

  private static SQLiteDataSource dataSource(Path file) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(15_000);
    config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    SQLiteDataSource source = new SQLiteDataSource(config);
    source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    return source;
  }

  public Path file() {
    return file;
  }

  /** The single writer connection, in manual-commit mode. Only the sequencer thread uses it. */
  Connection writer() {
    return writer;
  }

  /** A pooled read connection. */
  Connection read() throws SQLException {
    return pool.getConnection();
  }

  @Override
  public void close() {
    try {
      writer.close();
    } catch (SQLException e) {
      // closing after a failure: nothing left to protect
    }
    pool.close();
  }
}
