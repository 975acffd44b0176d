package dev.vellum.analytics;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.objectstore.DirectoryObjectStore;
import dev.vellum.objectstore.ObjectStore;
import dev.vellum.store.EventStore;
import dev.vellum.store.RecordStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Read-only SQL over a tenant's events: the facade the HTTP routes call. Each query gets a fresh
 * DuckDB {@link Sandbox} holding the view {@code events}: the tenant's archived Parquet files (read
 * in place from a {@link DirectoryObjectStore}, else from a bounded local mirror) UNION ALL its hot
 * events that no archive file covers. The SQL is checked by {@link SqlGuard} before anything is
 * loaded; the statement is cancelled at the time limit; rows and result size are cut off at their
 * limits, and the answer says so.
 */
public final class Analytics implements AutoCloseable {
  private static final int MAX_FILES = 50_000;

  private final EventStore store;
  private final RecordStore records;
  private final ObjectStore archive;
  private final @Nullable ArchiveMirror mirror;
  private final AnalyticsSettings settings;
  private final ObjectMapper json;
  private final QueryGate gate;
  private final ScheduledExecutorService watchdog;
  private final SavedQueries saved;
  private final List<String> hiddenPaths;

  /**
   * @param cacheDir where files of a store that is not a local directory are mirrored
   */
  public Analytics(
      EventStore store,
      RecordStore records,
      ObjectStore archive,
      Path cacheDir,
      AnalyticsSettings settings,
      ObjectMapper json,
      Clock clock) {
    this.store = store;
    this.records = records;
    this.archive = archive;
    this.settings = settings;
    this.json = json;
    try {
      this.mirror =
          archive instanceof DirectoryObjectStore
              ? null
              : new ArchiveMirror(archive, cacheDir, settings.cacheBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the analytics cache " + cacheDir, e);
    }
    this.hiddenPaths =
        List.of(
            archive instanceof DirectoryObjectStore d ? d.root().toString() : "/nonexistent/",
            cacheDir.toAbsolutePath().toString());
    this.gate = new QueryGate(settings.maxConcurrent(), settings.maxConcurrentPerTenant());
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vellum-analytics-watchdog");
              t.setDaemon(true);
              return t;
            });
    this.saved = new SavedQueries(records, json, clock, settings, this::check);
  }

  public AnalyticsSettings settings() {
    return settings;
  }

  public SavedQueries savedQueries() {
    return saved;
  }

  /**
   * Runs {@code sql} over {@code tenant}'s events. {@code timeoutMillis} and {@code maxRows} may
   * lower the configured limits (0: the configured one). Throws {@link AnalyticsException}.
   */
  public QueryResult query(String tenant, String sql, long timeoutMillis, int maxRows) {
    if (sql.length() > settings.maxSqlChars()) {
      throw new AnalyticsException(
          AnalyticsException.Kind.REFUSED,
          "the SQL is " + sql.length() + " characters; at most " + settings.maxSqlChars());
    }
    long timeout =
        timeoutMillis > 0
            ? Math.min(timeoutMillis, settings.timeout().toMillis())
            : settings.timeout().toMillis();
    int rows = maxRows > 0 ? Math.min(maxRows, settings.maxRows()) : settings.maxRows();
    try {
      // the pool's wait is longer than the statement's limit: the watchdog cancels first
      return gate.run(tenant, timeout + 10_000, () -> execute(tenant, sql, timeout, rows));
    } catch (AnalyticsException e) {
      throw e;
    } catch (SQLException e) {
      throw reduce(e, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AnalyticsException(AnalyticsException.Kind.FAILED, "interrupted");
    } catch (IOException e) {
      throw new AnalyticsException(
          AnalyticsException.Kind.FAILED, "the archive could not be read: " + hide(e.toString()));
    } catch (Exception e) {
      throw new AnalyticsException(
          AnalyticsException.Kind.FAILED, "the query failed: " + hide(firstLines(e.getMessage())));
    }
  }

  /** Parses {@code sql} and refuses it unless it is one allowed query (for saved queries). */
  void check(String sql) {
    try (Sandbox box = Sandbox.open(64, 1)) {
      SqlGuard.check(box.connection(), json, sql);
    } catch (SQLException e) {
      throw new AnalyticsException(AnalyticsException.Kind.REFUSED, firstLines(e.getMessage()));
    }
  }

  private QueryResult execute(String tenant, String sql, long timeoutMillis, int maxRows)
      throws SQLException, IOException {
    long started = System.nanoTime();
    try (Sandbox box = Sandbox.open(settings.memoryLimitMb(), settings.threads())) {
      SqlGuard.check(box.connection(), json, sql);
      ArchiveSnapshot snapshot = ArchiveSnapshot.read(records, tenant, json, MAX_FILES);
      long from = snapshot.archivedThroughSeq() + 1;
      long to = store.nextSeq(tenant);
      long unarchived = snapshot.uncoveredIn(from, to);
      long loaded = box.loadHot(store, tenant, snapshot, from, to, settings.maxHotEvents(), json);
      Path tenantDir;
      List<Path> files;
      if (mirror == null) {
        DirectoryObjectStore dir = (DirectoryObjectStore) archive;
        tenantDir = dir.root().resolve("tenant=" + tenant);
        files = snapshot.files().stream().map(f -> dir.fileOf(f.key())).toList();
      } else {
        tenantDir = mirror.tenantDir(tenant);
        files = mirror.ensure(snapshot.files());
      }
      for (Path f : files) {
        if (!f.startsWith(tenantDir) || !Files.isRegularFile(f)) {
          throw new AnalyticsException(
              AnalyticsException.Kind.FAILED,
              "archive file " + tenantDir.relativize(f) + " is missing or not the tenant's");
        }
      }
      box.lockDown(tenantDir, files);
      ResultReader.Read read = run(box, sql, timeoutMillis, maxRows);
      return new QueryResult(
          read.columns(),
          read.rows(),
          read.truncated(),
          new QueryResult.Coverage(files.size(), loaded, unarchived),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
  }

  /**
   * Runs the query as a subquery under {@code LIMIT maxRows + 1}: DuckDB then computes (and the
   * driver materializes) at most one row more than may be returned, and that row tells the reader
   * the result was cut off. The guard has made sure it is one SELECT; a trailing semicolon is
   * dropped, and the line breaks keep a trailing {@code --} comment from swallowing the bracket.
   */
  private ResultReader.Read run(Sandbox box, String sql, long timeoutMillis, int maxRows)
      throws SQLException {
    String limited =
        "SELECT * FROM (\n" + withoutTrailingSemicolons(sql) + "\n) LIMIT " + (maxRows + 1L);
    AtomicBoolean cancelled = new AtomicBoolean();
    try (Statement s = box.connection().createStatement()) {
      ScheduledFuture<?> cancel =
          watchdog.schedule(
              () -> {
                cancelled.set(true);
                try {
                  s.cancel();
                } catch (SQLException alreadyClosed) {
                  // the statement ended just before its limit
                }
              },
              timeoutMillis,
              TimeUnit.MILLISECONDS);
      try (ResultSet r = s.executeQuery(limited)) {
        return ResultReader.read(r, maxRows, settings.maxResultBytes());
      } catch (SQLException e) {
        if (cancelled.get()) {
          throw new AnalyticsException(
              AnalyticsException.Kind.TIMED_OUT,
              "the query was cancelled at its time limit of " + timeoutMillis + " ms");
        }
        throw e;
      } finally {
        cancel.cancel(false);
      }
    }
  }

  static String withoutTrailingSemicolons(String sql) {
    String s = sql.strip();
    while (s.endsWith(";")) {
      s = s.substring(0, s.length() - 1).strip();
    }
    return s;
  }

  /** DuckDB's message, reduced to what the user needs: no advice to SET, no server paths. */
  private AnalyticsException reduce(SQLException e, long timeoutMillis) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("INTERRUPT") || m.contains("Interrupted")) {
      return new AnalyticsException(
          AnalyticsException.Kind.TIMED_OUT,
          "the query was cancelled at its time limit of " + timeoutMillis + " ms");
    }
    String reduced = hide(firstLines(m));
    if (m.startsWith("Out of Memory")) {
      reduced += " (the memory limit of a query is " + settings.memoryLimitMb() + " MB)";
    }
    return new AnalyticsException(AnalyticsException.Kind.FAILED, reduced);
  }

  /** The error line and, when DuckDB points into the SQL, its "LINE n:" line and caret. */
  private static String firstLines(@Nullable String message) {
    if (message == null) {
      return "the query failed";
    }
    String[] lines = message.split("\n");
    StringBuilder out = new StringBuilder(lines[0].strip());
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].startsWith("LINE ")) {
        out.append('\n').append(lines[i]);
        if (i + 1 < lines.length) {
          out.append('\n').append(lines[i + 1]);
        }
        break;
      }
    }
    return out.length() > 2_000 ? out.substring(0, 2_000) + "…" : out.toString();
  }

  private String hide(String message) {
    String out = message;
    for (String p : hiddenPaths) {
      out = out.replace(p, "<archive>");
    }
    return out;
  }

  @Override
  public void close() {
    gate.close();
    watchdog.shutdownNow();
  }
}
