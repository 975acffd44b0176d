package dev.vellum.analytics;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.store.EventStore;
import dev.vellum.store.StoredEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * One query's DuckDB: a fresh in-memory instance with its own memory and thread limits and no
 * temporary directory (nothing spills to disk, so a query that needs more memory fails instead of
 * filling the disk), which never installs or loads extensions. The guard checks the SQL first; then
 * the hot events go into table {@code hot_events}, file access is confined to the tenant's folder,
 * the view {@code events} is created over its files and the hot table, and the configuration is
 * locked, in that order (STACK.md's recipe), before the tenant's SQL runs.
 */
final class Sandbox implements AutoCloseable {
  static final String HOT_TABLE = "hot_events";
  private static final int PAGE = 1_000;

  private final Connection duck;

  private Sandbox(Connection duck) {
    this.duck = duck;
  }

  static Sandbox open(int memoryLimitMb, int threads) throws SQLException {
    Properties p = new Properties();
    p.setProperty("memory_limit", memoryLimitMb + "MB");
    p.setProperty("threads", Integer.toString(threads));
    p.setProperty("temp_directory", "");
    p.setProperty("autoinstall_known_extensions", "false");
    p.setProperty("autoload_known_extensions", "false");
    return new Sandbox(DriverManager.getConnection("jdbc:duckdb:", p));
  }

  Connection connection() {
    return duck;
  }

  /**
   * Loads the tenant's events with seq in {@code [from, to)} that no archive file covers, at most
   * {@code max}; returns how many were loaded.
   */
  long loadHot(
      EventStore store,
      String tenant,
      ArchiveSnapshot archive,
      long from,
      long to,
      int max,
      ObjectMapper json)
      throws SQLException {
    EventRows.createTable(duck, HOT_TABLE);
    long loaded = 0;
    for (long next = from; next < to && loaded < max; ) {
      long end = Math.min(to, next + PAGE);
      List<StoredEvent> page = new ArrayList<>();
      for (StoredEvent e : store.range(tenant, next, end)) {
        if (!archive.covers(e.seq()) && loaded + page.size() < max) {
          page.add(e);
        }
      }
      EventRows.append(duck, HOT_TABLE, page, json);
      loaded += page.size();
      next = end;
    }
    return loaded;
  }

  /**
   * Confines file access to {@code tenantDir}, creates the view, then locks the settings. The files
   * all have the contract's columns, so they are read by position without {@code union_by_name},
   * which reads every file's schema first (measured: 0.5–1.2 s more per query over 300 files, see
   * docs/benchmarks.md).
   */
  void lockDown(Path tenantDir, List<Path> files) throws SQLException {
    try (Statement s = duck.createStatement()) {
      s.execute("SET allowed_directories=[" + literal(tenantDir + "/") + "]");
      s.execute("SET enable_external_access=false");
      String hot = "SELECT " + EventRows.NAMES + " FROM " + HOT_TABLE;
      String view =
          files.isEmpty()
              ? hot
              : "SELECT "
                  + EventRows.NAMES
                  + " FROM read_parquet(["
                  + files.stream().map(f -> literal(f.toString())).collect(Collectors.joining(","))
                  + "], hive_partitioning=false) UNION ALL "
                  + hot;
      s.execute("CREATE VIEW " + SqlGuard.VIEW + " AS " + view);
      s.execute("SET lock_configuration=true");
    }
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  @Override
  public void close() throws SQLException {
    duck.close();
  }
}
