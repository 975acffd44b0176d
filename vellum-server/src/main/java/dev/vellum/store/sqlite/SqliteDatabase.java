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
 * One SQLite database file in WAL mode: a single writer connection owned by the sequencer, and
 * a small pool of connections for reads and rare administrative writes.
 *
 * <p>{@code synchronous=FULL} makes every commit wait for fsync of the WAL, which is what lets
 * the sequencer acknowledge an event only once it is durable.
 */
public final class SqliteDatabase implements AutoCloseable {
  private final Path file;
  private final HikariDataSource pool;
  private final Connection writer;

  private SqliteDatabase(Path file, HikariDataSource pool, Connection writer) {
    this.file = file;
    this.pool = pool;
    this.writer = writer;
  }

  /** Opens (creating if needed) {@code dataDir/vellum.db} and applies pending migrations. */
  public static SqliteDatabase open(Path dataDir) {
    Path file = dataDir.resolve("vellum.db");
    try {
      Files.createDirectories(dataDir);
      SQLiteDataSource source = dataSource(file);
      Flyway.configure()
          .dataSource(source)
          .locations("classpath:db/sqlite")
          .load()
          .migrate();
      Connection writer = source.getConnection();
      writer.setAutoCommit(false);
      try (Statement s = writer.createStatement()) {
        s.execute("PRAGMA cache_size=-131072");
      }
      HikariConfig hc = new HikariConfig();
      hc.setDataSource(source);
      hc.setMaximumPoolSize(4);
      hc.setPoolName("vellum-sqlite-read");
      return new SqliteDatabase(file, new HikariDataSource(hc), writer);
    } catch (SQLException | java.io.IOException | RuntimeException e) {
      throw new StoreException("cannot open database " + file + ": " + e.getMessage(), e, false);
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
