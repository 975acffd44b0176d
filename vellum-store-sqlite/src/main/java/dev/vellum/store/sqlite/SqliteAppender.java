package dev.vellum.store.sqlite;

import dev.vellum.store.DeadLetter;
import dev.vellum.store.NewEvent;
import dev.vellum.store.StoreException;
import dev.vellum.store.TileWrite;
import dev.vellum.store.WriteBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes one {@link WriteBatch} in one transaction on the writer connection. Feed positions
 * (events.pk) are assigned here, consecutively after the largest committed one; with a single
 * writer connection that is commit order, so positions become visible strictly in order.
 */
final class SqliteAppender {
  private static final String INSERT_EVENT =
      "INSERT INTO events (tenant, seq, id, occurred_at,"
          + " received_at, type, category, source, outcome, severity, actor_id, actor_ip, session_id,"
          + " leaf_hash, body, pk, restored_until) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  private static final String UPSERT_TILE =
      "INSERT INTO log_tiles (tenant, level, idx, hashes)"
          + " VALUES (?,?,?,?) ON CONFLICT (tenant, level, idx) DO UPDATE SET hashes = excluded.hashes";
  private static final String INSERT_CHECKPOINT =
      "INSERT OR IGNORE INTO log_checkpoints"
          + " (tenant, tree_size, root_hash, note, signed_at) VALUES (?,?,?,?,?)";
  private static final String UPSERT_POSITION =
      "INSERT INTO feed_consumers (name, position,"
          + " updated_at) VALUES (?,?,?) ON CONFLICT (name) DO UPDATE SET position ="
          + " max(position, excluded.position), updated_at = excluded.updated_at";
  private static final String INSERT_DEAD_LETTER =
      "INSERT OR REPLACE INTO feed_dead_letters"
          + " (consumer, position, tenant, seq, event_id, error, attempts, failed_at)"
          + " VALUES (?,?,?,?,?,?,?,?)";

  private final SqliteDatabase db;

  /** The largest events.pk committed; -1 = read it from the file. */
  private long lastPk = -1;

  SqliteAppender(SqliteDatabase db) {
    this.db = db;
  }

  long append(WriteBatch batch) {
    Connection c = db.writer();
    try {
      takeWriteLock(c);
      long last = lastPk < 0 ? maxPk(c) : lastPk;
      checkSeqsContinue(c, batch.events());
      insertEvents(c, batch.events(), last + 1, null);
      insertTiles(c, batch.tiles());
      insertCheckpoints(c, batch.checkpoints());
      upsertPositions(c, batch.consumerPositions());
      insertDeadLetters(c, batch.deadLetters());
      c.commit();
      lastPk = last + batch.events().size();
      return batch.events().isEmpty() ? last : last + 1;
    } catch (SQLException e) {
      abandon(c);
      throw SqliteErrors.wrap("committing " + batch.events().size() + " events", e);
    } catch (RuntimeException | Error e) {
      abandon(c);
      throw e;
    }
  }

  private void abandon(Connection c) {
    lastPk = -1;
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the original failure is what the caller needs to see
    }
    db.resetWriter();
  }

  /**
   * Makes the transaction a write transaction before it reads. The driver begins a deferred
   * transaction, so the reads below would take a WAL snapshot first; if another connection (the
   * record store: deliveries, rules, alerts) committed between those reads and the first insert,
   * the upgrade to a writer fails at once with SQLITE_BUSY_SNAPSHOT and the batch is lost. A write
   * statement first takes the write lock, waiting out other writers under the busy timeout instead.
   * It matches no row, so it changes nothing.
   */
  private static void takeWriteLock(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM events WHERE 0");
    }
  }

  private static long maxPk(Connection c) throws SQLException {
    return SqliteHeads.lastPk(c);
  }

  /**
   * Hot retention: deletes the tenant's events with {@code fromSeq <= seq < toSeq} in one
   * transaction, after saving the heads (so seqs and positions never go back) and the deleted ids.
   */
  long deleteRange(String tenant, long fromSeq, long toSeq) {
    Connection c = db.writer();
    try {
      takeWriteLock(c);
      long next = SqliteHeads.nextSeq(c, tenant);
      if (fromSeq < 0 || toSeq < fromSeq || toSeq > next) {
        throw new IllegalArgumentException(
            "cannot delete seqs ["
                + fromSeq
                + ", "
                + toSeq
                + ") of tenant "
                + tenant
                + ": its next seq is "
                + next);
      }
      long lastPkNow = maxPk(c);
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO events_deleted_heads (tenant, next_seq, last_pk) VALUES (?,?,?)"
                  + " ON CONFLICT (tenant) DO UPDATE SET next_seq = max(next_seq,"
                  + " excluded.next_seq), last_pk = max(last_pk, excluded.last_pk)")) {
        ps.setString(1, tenant);
        ps.setLong(2, next);
        ps.setLong(3, lastPkNow);
        ps.executeUpdate();
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT OR REPLACE INTO events_deleted_ids (tenant, id, seq)"
                  + " SELECT tenant, id, seq FROM events WHERE tenant = ? AND seq >= ? AND seq < ?")) {
        bindRange(ps, tenant, fromSeq, toSeq);
        ps.executeUpdate();
      }
      int deleted;
      try (PreparedStatement ps =
          c.prepareStatement("DELETE FROM events WHERE tenant = ? AND seq >= ? AND seq < ?")) {
        bindRange(ps, tenant, fromSeq, toSeq);
        deleted = ps.executeUpdate();
      }
      c.commit();
      return deleted;
    } catch (SQLException e) {
      abandon(c);
      throw SqliteErrors.wrap("deleting events of tenant " + tenant, e);
    } catch (RuntimeException | Error e) {
      abandon(c);
      throw e;
    }
  }

  /**
   * Puts back deleted events with their original seqs under new feed positions (EventStore rule 7).
   * Every check runs in the write transaction, so nothing else can slip in between.
   */
  long restore(String tenant, List<NewEvent> events, long restoredUntilMicros) {
    Connection c = db.writer();
    try {
      takeWriteLock(c);
      long last = lastPk < 0 ? maxPk(c) : lastPk;
      if (events.isEmpty()) {
        c.commit();
        return last;
      }
      checkRestorable(c, tenant, events);
      insertEvents(c, events, last + 1, restoredUntilMicros);
      c.commit();
      lastPk = last + events.size();
      return last + 1;
    } catch (SQLException e) {
      abandon(c);
      throw SqliteErrors.wrap("restoring " + events.size() + " events of tenant " + tenant, e);
    } catch (RuntimeException | Error e) {
      abandon(c);
      throw e;
    }
  }

  private static void checkRestorable(Connection c, String tenant, List<NewEvent> events)
      throws SQLException {
    long next = SqliteHeads.nextSeq(c, tenant);
    java.util.Set<Long> seqs = new java.util.HashSet<>();
    java.util.Set<String> ids = new java.util.HashSet<>();
    try (PreparedStatement deleted =
            c.prepareStatement("SELECT seq FROM events_deleted_ids WHERE tenant = ? AND id = ?");
        PreparedStatement present =
            c.prepareStatement(
                "SELECT 1 FROM events WHERE tenant = ?1 AND (seq = ?2 OR id = ?3) LIMIT 1")) {
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
        deleted.setString(1, tenant);
        deleted.setString(2, e.id());
        try (ResultSet rs = deleted.executeQuery()) {
          if (!rs.next() || rs.getLong(1) != e.seq()) {
            throw refused(tenant, e, "was never deleted with id " + e.id());
          }
        }
        present.setString(1, tenant);
        present.setLong(2, e.seq());
        present.setString(3, e.id());
        try (ResultSet rs = present.executeQuery()) {
          if (rs.next()) {
            throw refused(tenant, e, "or its id " + e.id() + " is in the hot store");
          }
        }
      }
    }
  }

  private static IllegalArgumentException refused(String tenant, NewEvent e, String why) {
    return new IllegalArgumentException(
        "cannot restore seq " + e.seq() + " of tenant " + tenant + ": it " + why);
  }

  private static void bindRange(PreparedStatement ps, String tenant, long from, long to)
      throws SQLException {
    ps.setString(1, tenant);
    ps.setLong(2, from);
    ps.setLong(3, to);
  }

  /**
   * The fence against a second writer: each tenant's events must continue its stored seqs exactly
   * and contiguously, or nothing is written.
   */
  private static void checkSeqsContinue(Connection c, List<NewEvent> events) throws SQLException {
    Map<String, Long> expected = new LinkedHashMap<>();
    for (NewEvent e : events) {
      Long next = expected.get(e.tenant());
      if (next == null) {
        next = SqliteHeads.nextSeq(c, e.tenant());
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
  }

  private static void insertEvents(
      Connection c, List<NewEvent> events, long firstPk, @Nullable Long restoredUntil)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_EVENT)) {
      long pk = firstPk;
      for (NewEvent e : events) {
        ps.setString(1, e.tenant());
        ps.setLong(2, e.seq());
        ps.setString(3, e.id());
        ps.setLong(4, e.occurredAtMicros());
        ps.setLong(5, e.receivedAtMicros());
        ps.setString(6, e.type());
        ps.setString(7, e.category());
        ps.setString(8, e.source());
        ps.setString(9, e.outcome());
        ps.setString(10, e.severity());
        ps.setString(11, e.actorId());
        ps.setString(12, e.actorIp());
        ps.setString(13, e.sessionId());
        ps.setBytes(14, e.leafHash());
        ps.setString(15, e.body());
        ps.setLong(16, pk++);
        ps.setObject(17, restoredUntil);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void insertTiles(Connection c, List<TileWrite> tiles) throws SQLException {
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
    long now = System.currentTimeMillis() * 1_000;
    try (PreparedStatement ps = c.prepareStatement(UPSERT_POSITION)) {
      for (Map.Entry<String, Long> p : positions.entrySet()) {
        ps.setString(1, p.getKey());
        ps.setLong(2, p.getValue());
        ps.setLong(3, now);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void insertDeadLetters(Connection c, List<DeadLetter> letters)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_DEAD_LETTER)) {
      for (DeadLetter d : letters) {
        ps.setString(1, d.consumer());
        ps.setLong(2, d.position());
        ps.setString(3, d.tenant());
        ps.setLong(4, d.seq());
        ps.setString(5, d.eventId());
        ps.setString(6, d.error());
        ps.setInt(7, d.attempts());
        ps.setLong(8, d.failedAtMicros());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }
}
