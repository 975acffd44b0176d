package dev.vellum.store.postgres;

import dev.vellum.store.DeadLetter;
import dev.vellum.store.EventStore;
import dev.vellum.store.NewEvent;
import dev.vellum.store.StoreException;
import dev.vellum.store.TileWrite;
import dev.vellum.store.WriteBatch;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;

/**
 * Writes one batch in one transaction, safely beside writers on other nodes. In the order the
 * transaction takes them:
 *
 * <ol>
 *   <li><b>Tenant heads.</b> {@code SELECT ... FROM tenant_heads WHERE tenant = ANY(?) ORDER BY
 *       tenant FOR UPDATE}: one row lock per tenant of the batch, always in tenant order (so two
 *       writers never deadlock), held to COMMIT. The stager computes seqs and tiles against these
 *       heads; the batch is then checked against them anyway (the fence of rule 2), and its ids
 *       against the stored ones (rule 3: a partitioned table cannot have a unique index without the
 *       partition key, so the check is made here, under the lock every writer of the tenant takes).
 *   <li><b>Feed positions</b> (../shared/FEED.md, option 2): {@code pg_advisory_xact_lock} on a
 *       fixed key (per schema), then {@code feed_head} is read and advanced by the batch's event
 *       count. The lock is released by COMMIT, after the commit is visible, so positions become
 *       visible strictly in order: the next writer can take positions only once this one's are
 *       visible. The price: commits of different nodes do not overlap from here to COMMIT (one
 *       acquisition covers a whole group commit). Taken last, so it is never held while waiting for
 *       a tenant lock.
 *   <li>The events by {@code COPY} into the partitioned table; tiles, checkpoints, consumer
 *       positions and dead letters by batched upserts; the tenant heads moved on; COMMIT.
 * </ol>
 *
 * A batch with no events takes no lock. Any failure rolls the whole transaction back.
 */
final class PostgresAppender {
  private static final String COPY_EVENTS =
      "COPY events (position, tenant, seq, id, occurred_at, received_at, type, category, source,"
          + " outcome, severity, actor_id, actor_ip, session_id, leaf_hash, body) FROM STDIN";
  private static final String UPSERT_TILE =
      "INSERT INTO log_tiles (tenant, level, idx, hashes) VALUES (?,?,?,?)"
          + " ON CONFLICT (tenant, level, idx) DO UPDATE SET hashes = excluded.hashes";
  private static final String INSERT_CHECKPOINT =
      "INSERT INTO log_checkpoints (tenant, tree_size, root_hash, note, signed_at)"
          + " VALUES (?,?,?,?,?) ON CONFLICT (tenant, tree_size) DO NOTHING";
  private static final String UPSERT_POSITION =
      "INSERT INTO feed_consumers (name, position, updated_at) VALUES (?,?,?)"
          + " ON CONFLICT (name) DO UPDATE SET position ="
          + " greatest(feed_consumers.position, excluded.position), updated_at = excluded.updated_at";
  private static final String UPSERT_DEAD_LETTER =
      "INSERT INTO feed_dead_letters"
          + " (consumer, position, tenant, seq, event_id, error, attempts, failed_at)"
          + " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (consumer, position) DO UPDATE SET"
          + " tenant = excluded.tenant, seq = excluded.seq, event_id = excluded.event_id,"
          + " error = excluded.error, attempts = excluded.attempts, failed_at = excluded.failed_at";

  private final PostgresDatabase db;

  /** Tenants whose head row is known to be committed: no insert attempt needed. */
  private final Set<String> knownHeads = ConcurrentHashMap.newKeySet();

  PostgresAppender(PostgresDatabase db) {
    this.db = db;
  }

  long append(Set<String> tenants, EventStore.Stager stager, Set<YearMonth> months) {
    try {
      months.add(Partitions.monthOf(System.currentTimeMillis() * 1_000));
      for (YearMonth m : months) {
        db.partitions().ensure(m);
      }
      db.partitions().ensureAhead(System.currentTimeMillis() * 1_000);
    } catch (SQLException e) {
      throw PostgresErrors.wrap("creating the month partitions of events", e);
    }
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try {
        long first = write(c, new TreeSet<>(tenants), stager);
        c.commit();
        knownHeads.addAll(tenants);
        return first;
      } catch (SQLException | RuntimeException | Error e) {
        rollback(c);
        throw e;
      }
    } catch (SQLException e) {
      throw PostgresErrors.wrap("committing a batch", e);
    }
  }

  /**
   * Puts back deleted events (EventStore rule 7) under the tenant's head lock, the one appends and
   * deletions hold, and with new feed positions taken like an append's, so the feed stays in order.
   * tenant_heads.next_seq is not touched; its last_position moves to the restored events.
   */
  long restore(String tenant, List<NewEvent> events, long restoredUntilMicros) {
    try {
      for (NewEvent e : events) {
        db.partitions().ensure(Partitions.monthOf(e.receivedAtMicros()));
      }
    } catch (SQLException e) {
      throw PostgresErrors.wrap("creating the month partitions of restored events", e);
    }
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try {
        long first;
        if (events.isEmpty()) {
          first = lastPosition(c);
        } else {
          long next;
          try (PreparedStatement ps =
              c.prepareStatement("SELECT next_seq FROM tenant_heads WHERE tenant = ? FOR UPDATE")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
              next = rs.next() ? rs.getLong(1) : 0;
            }
          }
          checkRestorable(c, tenant, events, next);
          first = takePositions(c, events.size());
          insertRestored(c, events, first, restoredUntilMicros);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE tenant_heads SET last_position = greatest(last_position, ?)"
                      + " WHERE tenant = ?")) {
            ps.setLong(1, first + events.size() - 1);
            ps.setString(2, tenant);
            ps.executeUpdate();
          }
        }
        c.commit();
        c.setAutoCommit(true);
        return first;
      } catch (SQLException | RuntimeException | Error e) {
        rollback(c);
        throw e;
      }
    } catch (SQLException e) {
      throw PostgresErrors.wrap("restoring " + events.size() + " events of tenant " + tenant, e);
    }
  }

  private static void checkRestorable(Connection c, String tenant, List<NewEvent> events, long next)
      throws SQLException {
    Set<Long> seqs = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (NewEvent e : events) {
      if (!tenant.equals(e.tenant())) {
        throw refused(tenant, e, "is of tenant " + e.tenant());
      }
      if (e.seq() < 0 || e.seq() >= next) {
        throw refused(tenant, e, "was never written (next seq " + next + ")");
      }
      if (!seqs.add(e.seq()) || !ids.add(e.id())) {
        throw refused(tenant, e, "is twice in the restore");
      }
      if (e.id().indexOf('\u0000') >= 0) {
        throw refused(tenant, e, "was never deleted with id " + e.id());
      }
    }
    Map<String, Long> deleted = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, seq FROM events_deleted_ids WHERE tenant = ? AND id = ANY(?)")) {
      ps.setString(1, tenant);
      ps.setArray(2, c.createArrayOf("text", ids.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          deleted.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    for (NewEvent e : events) {
      Long seq = deleted.get(e.id());
      if (seq == null || seq != e.seq()) {
        throw refused(tenant, e, "was never deleted with id " + e.id());
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT seq, id FROM events WHERE tenant = ? AND (seq = ANY(?) OR id = ANY(?))"
                + " ORDER BY seq LIMIT 1")) {
      ps.setString(1, tenant);
      ps.setArray(2, c.createArrayOf("bigint", seqs.toArray()));
      ps.setArray(3, c.createArrayOf("text", ids.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw new IllegalArgumentException(
              "cannot restore into tenant "
                  + tenant
                  + ": seq "
                  + rs.getLong(1)
                  + " (id "
                  + rs.getString(2)
                  + ") is in the hot store");
        }
      }
    }
  }

  private static IllegalArgumentException refused(String tenant, NewEvent e, String why) {
    return new IllegalArgumentException(
        "cannot restore seq " + e.seq() + " of tenant " + tenant + ": it " + why);
  }

  private static void insertRestored(
      Connection c, List<NewEvent> events, long firstPosition, long restoredUntilMicros)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO events (position, tenant, seq, id, occurred_at, received_at, type,"
                + " category, source, outcome, severity, actor_id, actor_ip, session_id,"
                + " leaf_hash, body, restored_until) VALUES"
                + " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      long position = firstPosition;
      for (NewEvent e : events) {
        ps.setLong(1, position++);
        ps.setString(2, e.tenant());
        ps.setLong(3, e.seq());
        ps.setString(4, e.id());
        ps.setLong(5, e.occurredAtMicros());
        ps.setLong(6, e.receivedAtMicros());
        ps.setString(7, column(e.type()));
        ps.setString(8, column(e.category()));
        ps.setString(9, column(e.source()));
        ps.setString(10, column(e.outcome()));
        ps.setString(11, column(e.severity()));
        ps.setString(12, column(e.actorId()));
        ps.setString(13, e.actorIp() == null ? null : column(e.actorIp()));
        ps.setString(14, e.sessionId() == null ? null : column(e.sessionId()));
        ps.setBytes(15, e.leafHash());
        ps.setString(16, e.body());
        ps.setLong(17, restoredUntilMicros);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
      c.setAutoCommit(true);
    } catch (SQLException ignored) {
      // the connection is broken; the pool discards it, and the server rolls back on its own
    }
  }

  private long write(Connection c, Set<String> tenants, EventStore.Stager stager)
      throws SQLException {
    Map<String, Long> heads = tenants.isEmpty() ? Map.of() : lockHeads(c, tenants);
    WriteBatch batch = stager.stage(heads);
    List<NewEvent> events = batch.events();
    long first;
    if (events.isEmpty()) {
      first = lastPosition(c);
    } else {
      Map<String, Long> next = checkSeqsContinue(events, heads);
      checkIdsAreNew(c, events);
      first = takePositions(c, events.size());
      copyEvents(c, events, first);
      updateHeads(c, events, next, first);
    }
    upsertTiles(c, batch.tiles());
    insertCheckpoints(c, batch.checkpoints());
    upsertPositions(c, batch.consumerPositions());
    upsertDeadLetters(c, batch.deadLetters());
    return first;
  }

  private Map<String, Long> lockHeads(Connection c, Set<String> tenants) throws SQLException {
    List<String> unknown = new ArrayList<>();
    for (String t : tenants) {
      if (!knownHeads.contains(t)) {
        unknown.add(t);
      }
    }
    if (!unknown.isEmpty()) {
      // sorted, like the locks below: two writers creating the same heads wait, never deadlock
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO tenant_heads (tenant) SELECT t FROM unnest(?::text[]) AS u(t)"
                  + " ORDER BY t ON CONFLICT (tenant) DO NOTHING")) {
        ps.setArray(1, c.createArrayOf("text", unknown.toArray()));
        ps.executeUpdate();
      }
    }
    Map<String, Long> heads = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT tenant, next_seq FROM tenant_heads WHERE tenant = ANY(?)"
                + " ORDER BY tenant FOR UPDATE")) {
      ps.setArray(1, c.createArrayOf("text", tenants.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          heads.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return heads;
  }

  /**
   * The fence against a stale writer: each tenant's events must continue its locked head exactly
   * and contiguously, or nothing is written. Returns each tenant's next seq after the batch.
   */
  private static Map<String, Long> checkSeqsContinue(
      List<NewEvent> events, Map<String, Long> heads) {
    Map<String, Long> expected = new LinkedHashMap<>();
    for (NewEvent e : events) {
      Long next = expected.get(e.tenant());
      if (next == null) {
        next = heads.get(e.tenant());
        if (next == null) {
          throw new StoreException(
              "the batch has events of tenant " + e.tenant() + " whose head was not locked",
              null,
              false);
        }
      }
      if (e.seq() != next) {
        throw new StoreException(
            "seq "
                + e.seq()
                + " of tenant "
                + e.tenant()
                + " does not continue its log at "
                + next
                + " (another writer?)",
            null,
            false);
      }
      expected.put(e.tenant(), next + 1);
    }
    return expected;
  }

  /** Rule 3, checked under the tenant locks: no id of the batch is stored, or twice in it. */
  private static void checkIdsAreNew(Connection c, List<NewEvent> events) throws SQLException {
    Map<String, List<String>> byTenant = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (NewEvent e : events) {
      if (!seen.add(e.tenant() + '\u0000' + e.id())) {
        throw new StoreException(
            "id " + e.id() + " appears twice in a batch of tenant " + e.tenant(), null, false);
      }
      byTenant.computeIfAbsent(e.tenant(), k -> new ArrayList<>()).add(e.id());
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT id FROM events WHERE tenant = ? AND id = ANY(?) LIMIT 1")) {
      for (Map.Entry<String, List<String>> t : byTenant.entrySet()) {
        ps.setString(1, t.getKey());
        Array ids = c.createArrayOf("text", t.getValue().toArray());
        ps.setArray(2, ids);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            throw new StoreException(
                "id " + rs.getString(1) + " is already stored for tenant " + t.getKey(),
                null,
                false);
          }
        }
      }
    }
  }

  /**
   * Takes the feed lock (held to COMMIT) and the next {@code count} positions; returns the first.
   */
  private long takePositions(Connection c, int count) throws SQLException {
    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
      lock.setInt(1, Locks.FEED);
      lock.setInt(2, Locks.schemaKey(db.schema()));
      lock.execute();
    }
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE feed_head SET position = position + ? RETURNING position")) {
      ps.setLong(1, count);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) - count + 1;
      }
    }
  }

  private static long lastPosition(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT position FROM feed_head");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void copyEvents(Connection c, List<NewEvent> events, long firstPosition)
      throws SQLException {
    StringBuilder rows = new StringBuilder(events.size() * 1_600);
    long position = firstPosition;
    for (NewEvent e : events) {
      rows.append(position++).append('\t');
      text(rows, e.tenant()).append('\t');
      rows.append(e.seq()).append('\t');
      text(rows, e.id()).append('\t');
      rows.append(e.occurredAtMicros()).append('\t');
      rows.append(e.receivedAtMicros()).append('\t');
      text(rows, column(e.type())).append('\t');
      text(rows, column(e.category())).append('\t');
      text(rows, column(e.source())).append('\t');
      text(rows, column(e.outcome())).append('\t');
      text(rows, column(e.severity())).append('\t');
      text(rows, column(e.actorId())).append('\t');
      text(rows, column(e.actorIp())).append('\t');
      text(rows, column(e.sessionId())).append('\t');
      rows.append("\\\\x");
      hex(rows, e.leafHash()).append('\t');
      text(rows, e.body()).append('\n');
    }
    byte[] data = rows.toString().getBytes(StandardCharsets.UTF_8);
    try {
      long copied =
          c.unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn(COPY_EVENTS, new ByteArrayInputStream(data), 1 << 16);
      if (copied != events.size()) {
        throw new SQLException("COPY wrote " + copied + " rows of " + events.size());
      }
    } catch (IOException e) {
      throw new SQLException("COPY of events failed: " + e.getMessage(), "08006", e);
    }
  }

  /**
   * A copy of a member made for indexing, fit for a PostgreSQL text column: a NUL character (which
   * PostgreSQL text cannot hold, and which a client may send inside an actor or session id) becomes
   * U+FFFD. The body, which the leaf hash commits to, keeps the exact value (JSON escapes it).
   */
  static @Nullable String column(@Nullable String value) {
    return value == null || value.indexOf('\u0000') < 0 ? value : value.replace('\u0000', '\ufffd');
  }

  /**
   * A value in COPY's text format: {@code \N} for null; backslash and control characters escaped.
   */
  static StringBuilder text(StringBuilder out, @Nullable String value) {
    if (value == null) {
      return out.append("\\N");
    }
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      switch (ch) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\u000b' -> out.append("\\v");
        case '\u0000' ->
            throw new StoreException("PostgreSQL text cannot hold the NUL character", null, false);
        default -> out.append(ch);
      }
    }
    return out;
  }

  private static StringBuilder hex(StringBuilder out, byte[] bytes) {
    for (byte b : bytes) {
      out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return out;
  }

  private static void updateHeads(
      Connection c, List<NewEvent> events, Map<String, Long> next, long firstPosition)
      throws SQLException {
    Map<String, Long> lastPositions = new HashMap<>();
    for (int i = 0; i < events.size(); i++) {
      lastPositions.put(events.get(i).tenant(), firstPosition + i);
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE tenant_heads SET next_seq = ?, last_position = ? WHERE tenant = ?")) {
      for (Map.Entry<String, Long> t : next.entrySet()) {
        ps.setLong(1, t.getValue());
        ps.setLong(2, lastPositions.getOrDefault(t.getKey(), firstPosition));
        ps.setString(3, t.getKey());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void upsertTiles(Connection c, List<TileWrite> tiles) throws SQLException {
    if (tiles.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(UPSERT_TILE)) {
      for (TileWrite t : tiles) {
        ps.setString(1, t.tenant());
        ps.setInt(2, t.level());
        ps.setLong(3, t.index());
        ps.setBytes(4, t.hashes());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void insertCheckpoints(Connection c, List<WriteBatch.TenantCheckpoint> all)
      throws SQLException {
    if (all.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT_CHECKPOINT)) {
      for (WriteBatch.TenantCheckpoint tc : all) {
        ps.setString(1, tc.tenant());
        ps.setLong(2, tc.checkpoint().treeSize());
        ps.setBytes(3, tc.checkpoint().rootHash());
        ps.setString(4, tc.checkpoint().note());
        ps.setLong(5, tc.checkpoint().signedAtMicros());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void upsertPositions(Connection c, Map<String, Long> positions)
      throws SQLException {
    if (positions.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis() * 1_000;
    try (PreparedStatement ps = c.prepareStatement(UPSERT_POSITION)) {
      for (Map.Entry<String, Long> p : new java.util.TreeMap<>(positions).entrySet()) {
        ps.setString(1, p.getKey());
        ps.setLong(2, p.getValue());
        ps.setLong(3, now);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void upsertDeadLetters(Connection c, List<DeadLetter> letters)
      throws SQLException {
    if (letters.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(UPSERT_DEAD_LETTER)) {
      for (DeadLetter d : letters) {
        ps.setString(1, d.consumer());
        ps.setLong(2, d.position());
        ps.setString(3, d.tenant());
        ps.setLong(4, d.seq());
        ps.setString(5, d.eventId());
        ps.setString(6, column(d.error()));
        ps.setInt(7, d.attempts());
        ps.setLong(8, d.failedAtMicros());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }
}
