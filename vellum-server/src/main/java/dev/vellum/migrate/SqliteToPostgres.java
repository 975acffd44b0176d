package dev.vellum.migrate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.cluster.SharedLogKey;
import dev.vellum.log.SigningKey;
import dev.vellum.store.RecordStore;
import dev.vellum.store.postgres.PostgresDatabase;
import dev.vellum.store.postgres.PostgresSettings;
import dev.vellum.verify.LogTablesCheck;
import dev.vellum.verify.VerifyException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.sqlite.SQLiteConfig;

/**
 * Copies a SQLite data dir's database into an empty PostgreSQL schema, all in one PostgreSQL
 * transaction: every table row for row (events keep their seq, leaf hash, body and feed position),
 * then the heads only PostgreSQL keeps ({@code tenant_heads}, {@code feed_head}) derived from the
 * copy, then the deployment's log key record. Before committing it checks the copy (row counts per
 * table, events and last seq per tenant, and every tenant's Merkle tree rebuilt from the copied
 * bodies against the copied tiles and signed checkpoints, whose signatures must verify with the key
 * the nodes will sign with). Any difference rolls everything back, so a failed or interrupted
 * migration leaves the target as empty as it found it and can simply be run again.
 *
 * <p>The caller holds the data dir's lock (no node may write to the SQLite file meanwhile) and has
 * opened both databases once, which brings both schemas to the current version.
 */
public final class SqliteToPostgres {
  /** Events between two progress lines. */
  static final long PROGRESS_EVERY = 100_000;

  /** The target schema already holds data: migrating into it could mix two logs. */
  public static final class TargetNotEmpty extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TargetNotEmpty(String message) {
      super(message);
    }
  }

  /** The source or target schema is not the one this version copies. */
  public static final class Incompatible extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Incompatible(String message) {
      super(message);
    }
  }

  /** One tenant after the copy: events, last seq (-1: none), newest checkpoint size and root. */
  public record TenantSummary(
      String tenant,
      long events,
      long lastSeq,
      long checkpoints,
      long newestCheckpoint,
      @Nullable String root,
      boolean clean) {}

  /**
   * What was done: rows per table, the tenants, and what did not match (empty: the copy verified
   * and was committed; otherwise it was rolled back).
   */
  public record Result(
      Map<String, Long> rows, List<TenantSummary> tenants, List<String> problems, long nanos) {
    public boolean committed() {
      return problems.isEmpty();
    }
  }

  private final Path dataDir;
  private final PostgresDatabase target;
  private final SigningKey key;
  private final ObjectMapper json;
  private final PrintWriter out;

  public SqliteToPostgres(
      Path dataDir, PostgresDatabase target, SigningKey key, ObjectMapper json, PrintWriter out) {
    this.dataDir = dataDir;
    this.target = target;
    this.key = key;
    this.json = json;
    this.out = out;
  }

  /**
   * Runs the migration.
   *
   * @throws TargetNotEmpty when the target schema holds any row
   * @throws Incompatible when a schema has tables or columns this version does not copy
   * @throws SQLException when either database fails; nothing is committed then
   */
  public Result run(long nowMicros) throws SQLException {
    long start = System.nanoTime();
    Path file = dataDir.resolve("vellum.db");
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setReadOnly(true);
    cfg.setBusyTimeout(15_000);
    try (Connection src =
            DriverManager.getConnection(
                "jdbc:sqlite:" + file.toAbsolutePath(), cfg.toProperties());
        Connection dst = connect(target.settings(), target.schema())) {
      src.setAutoCommit(false); // one read transaction: one consistent snapshot
      dst.setAutoCommit(false);
      List<String> drift = SchemaCheck.differences(src, dst, target.schema());
      if (!drift.isEmpty()) {
        throw new Incompatible(String.join("; ", drift));
      }
      Map<String, Long> sourceRows = new LinkedHashMap<>();
      for (Tables.Table t : Tables.ALL) {
        sourceRows.put(t.name(), count(src, t.name()));
      }
      Map<String, long[]> sourceTenants = perTenant(src);
      long[] received = receivedRange(src);
      if (received != null) {
        // before the copying transaction: partitions are made in transactions of their own
        target.ensurePartitions(received[0], received[1]);
      }
      try (Statement s = dst.createStatement()) {
        s.execute("SET LOCAL lock_timeout = '10s'");
        s.execute("SET LOCAL synchronous_commit = on");
        // a node starting on the schema meanwhile waits for the commit, then finds it taken
        s.execute(
            "LOCK TABLE tenants, api_keys, events, records, log_checkpoints, tenant_heads,"
                + " feed_head IN EXCLUSIVE MODE");
      }
      requireEmpty(dst);
      out.println(
          "vellum migrate: copying "
              + sourceRows.get("events")
              + " events of "
              + sourceTenants.size()
              + " tenants from "
              + file.toAbsolutePath()
              + " into PostgreSQL schema "
              + target.schema()
              + " at "
              + target.settings().safeUrl());
      out.flush();
      CopyManager copier = dst.unwrap(PGConnection.class).getCopyAPI();
      Map<String, Long> copied = new LinkedHashMap<>();
      for (Tables.Table t : Tables.ALL) {
        copied.put(
            t.name(), copyTable(src, copier, t, Objects.requireNonNull(sourceRows.get(t.name()))));
      }
      deriveHeads(dst);
      keepDeletedHeads(src, dst);
      recordLogKey(dst, nowMicros);
      out.println("vellum migrate: copied; verifying the copy before committing it");
      out.flush();
      List<String> problems = new ArrayList<>();
      Map<String, Long> targetRows = new LinkedHashMap<>();
      for (Tables.Table t : Tables.ALL) {
        long n = count(dst, t.name());
        // the log key record is the one row the migration adds
        targetRows.put(t.name(), t.name().equals("records") ? n - 1 : n);
      }
      if (!targetRows.equals(sourceRows)) {
        problems.add("row counts differ: SQLite " + sourceRows + ", PostgreSQL " + targetRows);
      }
      if (!targetRows.equals(copied)) {
        problems.add("COPY reported " + copied + " rows, the tables hold " + targetRows);
      }
      Map<String, long[]> targetTenants = perTenant(dst);
      compareTenants(sourceTenants, targetTenants, problems);
      checkHeads(dst, sourceTenants, problems);
      List<TenantSummary> tenants = checkLogs(dst, targetTenants, problems);
      if (problems.isEmpty()) {
        dst.commit();
      } else {
        dst.rollback();
      }
      src.rollback();
      return new Result(targetRows, tenants, List.copyOf(problems), System.nanoTime() - start);
    }
  }

  /** A connection of its own, without the pool's socket timeout: a COPY may take minutes. */
  private static Connection connect(PostgresSettings settings, String schema) throws SQLException {
    Properties props = new Properties();
    if (settings.user() != null) {
      props.setProperty("user", settings.user());
    }
    if (settings.password() != null) {
      props.setProperty("password", settings.password());
    }
    props.setProperty("currentSchema", schema);
    props.setProperty("ApplicationName", "vellum-migrate");
    props.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(settings.url(), props);
  }

  private static long count(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Per tenant: {events, max seq (-1 none)}; ordered by tenant. */
  private static Map<String, long[]> perTenant(Connection c) throws SQLException {
    Map<String, long[]> out = new TreeMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT tenant, count(*), max(seq) FROM events GROUP BY tenant")) {
      while (rs.next()) {
        out.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
      }
    }
    return out;
  }

  private static long @Nullable [] receivedRange(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT min(received_at), max(received_at) FROM events")) {
      rs.next();
      long min = rs.getLong(1);
      return rs.wasNull() ? null : new long[] {min, rs.getLong(2)};
    }
  }

  private static void requireEmpty(Connection c) throws SQLException {
    List<String> full = new ArrayList<>();
    List<String> tables = new ArrayList<>();
    for (Tables.Table t : Tables.ALL) {
      tables.add(t.name());
    }
    tables.add("tenant_heads");
    for (String t : tables) {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM " + t + ")")) {
        rs.next();
        if (rs.getBoolean(1)) {
          full.add(t);
        }
      }
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(max(position), 0) FROM feed_head")) {
      rs.next();
      if (rs.getLong(1) != 0) {
        full.add("feed_head");
      }
    }
    if (!full.isEmpty()) {
      throw new TargetNotEmpty(
          "the target schema is not empty (rows in "
              + String.join(", ", full)
              + "): migrate only fills a schema no node has used; choose a new"
              + " postgres.schema, or drop this one if it holds nothing you need");
    }
  }

  private long copyTable(Connection src, CopyManager copier, Tables.Table t, long total)
      throws SQLException {
    boolean events = t.name().equals("events");
    long n = 0;
    try (Statement s = src.createStatement()) {
      s.setFetchSize(1_000);
      try (ResultSet rs = s.executeQuery(CsvCopy.select(t))) {
        CsvCopy copy = new CsvCopy(copier.copyIn(CsvCopy.statement(t)), t);
        try {
          while (rs.next()) {
            copy.row(rs);
            n++;
            if (events && n % PROGRESS_EVERY == 0) {
              out.printf("vellum migrate: events: %d of %d%n", n, total);
              out.flush();
            }
          }
          long taken = copy.finish();
          out.printf("vellum migrate: %s: %d rows%n", t.name(), taken);
          out.flush();
          return taken;
        } catch (SQLException | RuntimeException e) {
          copy.cancel();
          throw e;
        }
      }
    }
  }

  /**
   * The heads PostgreSQL keeps and SQLite computes: each tenant's next seq (past its last event and
   * its largest checkpoint, in case retention removed the newest events) and last position, and the
   * feed head (past every position a consumer may already have reached).
   */
  private static void deriveHeads(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO tenant_heads (tenant, next_seq, last_position)"
              + " SELECT tenant, max(next_seq), max(last_position) FROM ("
              + " SELECT tenant, max(seq) + 1 AS next_seq, max(position) AS last_position"
              + " FROM events GROUP BY tenant"
              + " UNION ALL SELECT tenant, max(tree_size), 0 FROM log_checkpoints GROUP BY tenant"
              + ") h GROUP BY tenant");
      s.executeUpdate(
          "UPDATE feed_head SET position = greatest("
              + "(SELECT coalesce(max(position), 0) FROM events),"
              + " (SELECT coalesce(max(position), 0) FROM feed_consumers),"
              + " (SELECT coalesce(max(position), 0) FROM feed_dead_letters))");
    }
  }

  /**
   * Heads SQLite kept past events hot retention deleted: a tenant whose newest events are archived
   * must not get their seqs again, nor the feed its positions.
   */
  private static void keepDeletedHeads(Connection sqlite, Connection c) throws SQLException {
    try (Statement s = sqlite.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT tenant, next_seq, last_pk FROM " + Tables.SQLITE_DELETED_HEADS);
        PreparedStatement head =
            c.prepareStatement(
                "INSERT INTO tenant_heads (tenant, next_seq, last_position) VALUES (?, ?, 0)"
                    + " ON CONFLICT (tenant) DO UPDATE SET next_seq ="
                    + " greatest(tenant_heads.next_seq, excluded.next_seq)");
        PreparedStatement feed =
            c.prepareStatement("UPDATE feed_head SET position = greatest(position, ?)")) {
      while (rs.next()) {
        head.setString(1, rs.getString(1));
        head.setLong(2, rs.getLong(2));
        head.executeUpdate();
        feed.setLong(1, rs.getLong(3));
        feed.executeUpdate();
      }
    }
  }

  /** The deployment's log key: nodes started on the schema must sign with this one. */
  private void recordLogKey(Connection c, long nowMicros) throws SQLException {
    RecordStore.Entry e = SharedLogKey.entry(key, json, nowMicros);
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO records (kind, tenant, id, body, status, due_at, version, updated_at)"
                + " VALUES (?, ?, ?, ?, NULL, 0, 1, ?)")) {
      ps.setString(1, e.kind());
      ps.setString(2, e.tenant());
      ps.setString(3, e.id());
      ps.setString(4, e.body());
      ps.setLong(5, e.updatedAtMicros());
      ps.executeUpdate();
    }
  }

  private static void compareTenants(
      Map<String, long[]> source, Map<String, long[]> target, List<String> problems) {
    if (!source.keySet().equals(target.keySet())) {
      problems.add(
          "tenants with events differ: SQLite "
              + source.keySet()
              + ", PostgreSQL "
              + target.keySet());
    }
    for (Map.Entry<String, long[]> e : source.entrySet()) {
      long[] t = target.get(e.getKey());
      if (t != null && (t[0] != e.getValue()[0] || t[1] != e.getValue()[1])) {
        problems.add(
            "tenant "
                + e.getKey()
                + ": SQLite has "
                + e.getValue()[0]
                + " events up to seq "
                + e.getValue()[1]
                + ", PostgreSQL "
                + t[0]
                + " up to seq "
                + t[1]);
      }
    }
  }

  private static void checkHeads(Connection c, Map<String, long[]> source, List<String> problems)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT next_seq FROM tenant_heads WHERE tenant = ?")) {
      for (Map.Entry<String, long[]> e : source.entrySet()) {
        ps.setString(1, e.getKey());
        try (ResultSet rs = ps.executeQuery()) {
          long next = rs.next() ? rs.getLong(1) : -1;
          if (next < e.getValue()[1] + 1) {
            problems.add(
                "tenant "
                    + e.getKey()
                    + ": the next seq would be "
                    + next
                    + ", after "
                    + e.getValue()[1]);
          }
        }
      }
    }
  }

  /**
   * Every tenant's log as copied: the tree rebuilt from the bodies, checked against the copied
   * tiles and each signed checkpoint, signatures verified with the key the nodes will use.
   */
  private List<TenantSummary> checkLogs(
      Connection c, Map<String, long[]> tenants, List<String> problems) throws SQLException {
    List<String> trusted = new ArrayList<>();
    Map<String, long[]> newest = new TreeMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT tenant, count(*), max(tree_size) FROM log_checkpoints GROUP BY tenant")) {
      while (rs.next()) {
        newest.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
        trusted.add(key.signer(rs.getString(1)).verifierKey());
      }
    }
    List<LogTablesCheck.Tenant> checked;
    try {
      checked = LogTablesCheck.run(c, dataDir, trusted);
    } catch (VerifyException e) {
      problems.add("the copied log cannot be checked: " + e.getMessage());
      return List.of();
    }
    List<TenantSummary> out = new ArrayList<>();
    for (LogTablesCheck.Tenant t : checked) {
      long[] cp = newest.getOrDefault(t.tenant(), new long[] {0, 0});
      long[] ev = tenants.getOrDefault(t.tenant(), new long[] {0, -1});
      out.add(new TenantSummary(t.tenant(), ev[0], ev[1], cp[0], cp[1], t.root(), t.clean()));
      for (String p : t.problems()) {
        problems.add("tenant " + t.tenant() + ": " + p);
      }
      if (t.findings() > t.problems().size()) {
        problems.add(
            "tenant " + t.tenant() + ": … and " + (t.findings() - t.problems().size()) + " more");
      }
    }
    return out;
  }
}
