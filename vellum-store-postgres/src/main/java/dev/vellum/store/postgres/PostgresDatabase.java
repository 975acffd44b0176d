package dev.vellum.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vellum.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;

/**
 * One PostgreSQL database (one schema of it) shared by every Vellum node pointing at it: this
 * node's connection pool, the migrations, and the month partitions of {@code events}.
 *
 * <p>Every connection runs with {@code synchronous_commit} at least {@code on} ({@code off} in the
 * server's or the role's settings is raised for Vellum's sessions), so a commit returns only once
 * its WAL is flushed: acknowledged means durable.
 */
public final class PostgresDatabase implements AutoCloseable {
  /** What went wrong at start, for the operator's one-line message and the exit code. */
  public enum Failure {
    /** No connection: wrong URL, server down, refused login. */
    UNREACHABLE,
    /** Connected, but the schema could not be created or migrated. */
    MIGRATION
  }

  /** The database could not be opened; {@link #failure} says which step failed. */
  public static final class OpenException extends StoreException {
    private final Failure failure;

    OpenException(Failure failure, String message, Throwable cause) {
      super(message, cause, true);
      this.failure = failure;
    }

    public Failure failure() {
      return failure;
    }
  }

  private final PostgresSettings settings;
  private final HikariDataSource pool;
  private final String schema;
  private final Partitions partitions;

  private PostgresDatabase(PostgresSettings settings, HikariDataSource pool, String schema) {
    this.settings = settings;
    this.pool = pool;
    this.schema = schema;
    this.partitions = new Partitions(this);
  }

  /**
   * Connects, creates the schema if needed, applies pending migrations (Flyway takes a PostgreSQL
   * lock, so nodes starting together migrate once) and creates the partitions of this month and the
   * next two.
   *
   * @throws OpenException when the server cannot be reached or the schema cannot be migrated
   */
  public static PostgresDatabase open(PostgresSettings settings) {
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config(settings));
    } catch (RuntimeException e) {
      throw new OpenException(
          Failure.UNREACHABLE,
          "cannot reach PostgreSQL at " + settings.safeUrl() + ": " + rootMessage(e),
          e);
    }
    try {
      String schema = checkServer(pool, settings);
      Flyway.configure()
          .dataSource(pool)
          .schemas(schema)
          .defaultSchema(schema)
          .createSchemas(true)
          .locations("classpath:db/postgres")
          .load()
          .migrate();
      PostgresDatabase db = new PostgresDatabase(settings, pool, schema);
      db.partitions.ensureAhead(System.currentTimeMillis() * 1_000);
      return db;
    } catch (SQLException | RuntimeException e) {
      pool.close();
      if (e instanceof OpenException oe) {
        throw oe;
      }
      throw new OpenException(
          Failure.MIGRATION,
          "cannot migrate the Vellum schema in PostgreSQL at "
              + settings.safeUrl()
              + ": "
              + rootMessage(e),
          e);
    }
  }

  private static HikariConfig config(PostgresSettings settings) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(settings.url());
    if (settings.user() != null) {
      hc.setUsername(settings.user());
    }
    if (settings.password() != null) {
      hc.setPassword(settings.password());
    }
    if (settings.schema() != null) {
      // search_path for every pooled connection; the schema itself is created by Flyway
      hc.addDataSourceProperty("currentSchema", settings.schema());
    }
    hc.setMaximumPoolSize(settings.poolSize());
    hc.setMinimumIdle(Math.min(2, settings.poolSize()));
    hc.setPoolName("vellum-postgres");
    hc.setConnectionTimeout(10_000);
    hc.setInitializationFailTimeout(5_000);
    hc.setConnectionInitSql(
        "SELECT set_config('synchronous_commit', 'on', false)"
            + " WHERE current_setting('synchronous_commit') = 'off'");
    return hc;
  }

  /** The schema Vellum's tables live in; fails unless the server stores text as UTF-8. */
  private static String checkServer(HikariDataSource pool, PostgresSettings settings)
      throws SQLException {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT current_setting('server_encoding'), coalesce(current_schema(), 'public')")) {
      rs.next();
      if (!"UTF8".equals(rs.getString(1))) {
        throw new OpenException(
            Failure.MIGRATION,
            "the database at "
                + settings.safeUrl()
                + " uses encoding "
                + rs.getString(1)
                + "; Vellum needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8')",
            new SQLException("encoding"));
      }
      return settings.schema() != null ? settings.schema() : rs.getString(2);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m.replace('\n', ' ');
  }

  /** A pooled connection in auto-commit mode; callers that need a transaction switch it off. */
  Connection connection() throws SQLException {
    return pool.getConnection();
  }

  /**
   * A new connection outside the pool, with the pool's login and schema, for a session that must
   * outlive any one statement: a lease's session-level advisory lock is held exactly as long as
   * this connection lives. The caller closes it.
   */
  public Connection openSessionConnection() throws SQLException {
    return openSessionConnection("vellum-lease");
  }

  /** As {@link #openSessionConnection()}, named {@code applicationName} in pg_stat_activity. */
  Connection openSessionConnection(String applicationName) throws SQLException {
    java.util.Properties props = new java.util.Properties();
    String user = settings.user();
    if (user != null) {
      props.setProperty("user", user);
    }
    String password = settings.password();
    if (password != null) {
      props.setProperty("password", password);
    }
    props.setProperty("currentSchema", schema);
    props.setProperty("ApplicationName", applicationName);
    props.setProperty("connectTimeout", "5");
    props.setProperty("socketTimeout", "10");
    return java.sql.DriverManager.getConnection(settings.url(), props);
  }

  /**
   * Creates the month partitions from the month of {@code fromMicros} to that of {@code toMicros},
   * for events imported with old {@code received_at} times ({@code vellum migrate}), so that they
   * land in month partitions that retention can drop rather than in {@code events_default}.
   */
  public void ensurePartitions(long fromMicros, long toMicros) {
    try {
      java.time.YearMonth last = Partitions.monthOf(toMicros);
      for (java.time.YearMonth m = Partitions.monthOf(fromMicros);
          !m.isAfter(last);
          m = m.plusMonths(1)) {
        partitions.ensure(m);
      }
    } catch (SQLException e) {
      throw PostgresErrors.wrap("creating the month partitions of events", e);
    }
  }

  /** The schema Vellum's tables are in. */
  public String schema() {
    return schema;
  }

  public PostgresSettings settings() {
    return settings;
  }

  Partitions partitions() {
    return partitions;
  }

  /** Runs one statement with no result in its own transaction (for tests and tools). */
  void execute(String sql) {
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.execute();
    } catch (SQLException e) {
      throw PostgresErrors.wrap("running " + sql, e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
