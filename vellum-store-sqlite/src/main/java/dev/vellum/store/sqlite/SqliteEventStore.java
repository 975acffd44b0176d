package dev.vellum.store.sqlite;

import dev.vellum.store.DeadLetter;
import dev.vellum.store.EventStore;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.StoredCheckpoint;
import dev.vellum.store.StoredEvent;
import dev.vellum.store.WriteBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@link EventStore} on one SQLite file. The feed position of an event is its {@code pk}; the one
 * writer connection assigns it in the commit transaction (see {@link SqliteAppender}).
 */
public final class SqliteEventStore implements EventStore {
  private static final String COLUMNS =
      "e.seq, e.id, e.occurred_at, e.leaf_hash, e.body, e.restored_until";
  private static final String FEED_COLUMNS =
      "pk, tenant, seq, id, occurred_at, received_at,"
          + " type, category, source, outcome, severity, actor_id, actor_ip, session_id, leaf_hash,"
          + " body, restored_until";

  private final SqliteDatabase db;
  private final SqliteAppender appender;

  public SqliteEventStore(SqliteDatabase db) {
    this.db = db;
    this.appender = new SqliteAppender(db);
  }

  @Override
  public long nextSeq(String tenant) {
    try (Connection c = db.read()) {
      return SqliteHeads.nextSeq(c, tenant);
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading the next seq of tenant " + tenant, e);
    }
  }

  /** Synchronized with {@link #append}: both use the one writer connection. */
  @Override
  public synchronized long deleteRange(String tenant, long fromSeq, long toSeq) {
    return appender.deleteRange(tenant, fromSeq, toSeq);
  }

  /** Synchronized with {@link #append}: both use the one writer connection. */
  @Override
  public synchronized long restore(String tenant, List<NewEvent> events, long restoredUntilMicros) {
    return appender.restore(tenant, events, restoredUntilMicros);
  }

  @Override
  public List<StoredEvent> restoredExpiring(String tenant, long untilMicros, int limit) {
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM events e WHERE e.tenant = ? AND e.restored_until IS NOT NULL"
            + " AND e.restored_until <= ? ORDER BY e.seq LIMIT ?";
    try (Connection c = db.read();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, tenant);
      ps.setLong(2, untilMicros);
      ps.setInt(3, limit);
      return readAll(ps);
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading restored events", e);
    }
  }

  @Override
  public java.util.OptionalLong deletedSeq(String tenant, String id) {
    try (Connection c = db.read();
        PreparedStatement ps =
            c.prepareStatement("SELECT seq FROM events_deleted_ids WHERE tenant = ? AND id = ?")) {
      ps.setString(1, tenant);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? java.util.OptionalLong.of(rs.getLong(1))
            : java.util.OptionalLong.empty();
      }
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading a deleted event's seq", e);
    }
  }

  @Override
  public Map<String, StoredEvent> findByIds(String tenant, Collection<String> ids) {
    // Only the sequencer writes, so a reader sees every committed id.
    return findIn(tenant, "id", ids, PreparedStatement::setString, ResultSet::getString);
  }

  /**
   * The statement reading {@code n} events of one tenant by {@code column}, that column last. By
   * {@code pk}, the tenant term is kept out of index selection ({@code +}): without statistics the
   * planner otherwise walks the tenant's whole slice of {@code events_time} instead of looking up
   * {@code n} rows by their key.
   */
  static String findInSql(String column, int n) {
    return "SELECT "
        + COLUMNS
        + ", e."
        + column
        + " FROM events e WHERE "
        + (column.equals("pk") ? "+e.tenant" : "e.tenant")
        + " = ? AND e."
        + column
        + " IN ("
        + "?,".repeat(n - 1)
        + "?)";
  }

  /**
   * The tenant's events whose {@code column} is among {@code values}, keyed by that column, in
   * statements of at most 500 values (SQLite's default limit on bound parameters is far above).
   */
  private <K> Map<K, StoredEvent> findIn(
      String tenant, String column, Collection<K> values, Binder<K> bind, KeyReader<K> key) {
    Map<K, StoredEvent> found = new HashMap<>();
    List<K> all = new ArrayList<>(values);
    for (int from = 0; from < all.size(); from += 500) {
      List<K> chunk = all.subList(from, Math.min(all.size(), from + 500));
      try (Connection c = db.read();
          PreparedStatement ps = c.prepareStatement(findInSql(column, chunk.size()))) {
        ps.setString(1, tenant);
        for (int i = 0; i < chunk.size(); i++) {
          bind.bind(ps, i + 2, chunk.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            found.put(key.read(rs, 7), event(rs));
          }
        }
      } catch (SQLException e) {
        throw SqliteErrors.wrap("reading events by " + column, e);
      }
    }
    return found;
  }

  /** Binds one value of an IN list. */
  @FunctionalInterface
  private interface Binder<K> {
    void bind(PreparedStatement ps, int index, K value) throws SQLException;
  }

  /** Reads the key column of a result row. */
  @FunctionalInterface
  private interface KeyReader<K> {
    K read(ResultSet rs, int index) throws SQLException;
  }

  /**
   * Synchronized so that even several writing threads keep positions in commit order; the sequencer
   * is the only caller in a running node, so the lock is never contended there.
   */
  @Override
  public synchronized long append(WriteBatch batch) {
    return appender.append(batch);
  }

  @Override
  public Optional<StoredEvent> findById(String tenant, String id) {
    return single(
        "SELECT " + COLUMNS + " FROM events e WHERE e.tenant = ? AND e.id = ?", tenant, id);
  }

  @Override
  public Map<Long, StoredEvent> findBySeqs(String tenant, Collection<Long> seqs) {
    return findIn(tenant, "seq", seqs, PreparedStatement::setLong, ResultSet::getLong);
  }

  @Override
  public Map<Long, StoredEvent> findByPositions(String tenant, Collection<Long> positions) {
    return findIn(tenant, "pk", positions, PreparedStatement::setLong, ResultSet::getLong);
  }

  @Override
  public List<StoredEvent> range(String tenant, long fromSeq, long toSeq) {
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM events e WHERE e.tenant = ? AND e.seq >= ?"
            + " AND e.seq < ? ORDER BY e.seq";
    try (Connection c = db.read();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, tenant);
      ps.setLong(2, fromSeq);
      ps.setLong(3, toSeq);
      return readAll(ps);
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading events by seq", e);
    }
  }

  @Override
  public List<FeedEvent> after(long position, int limit) {
    String sql = "SELECT " + FEED_COLUMNS + " FROM events WHERE pk > ? ORDER BY pk LIMIT ?";
    List<FeedEvent> out = new ArrayList<>();
    try (Connection c = db.read();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, position);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new FeedEvent(
                  rs.getLong(1),
                  new NewEvent(
                      rs.getString(2),
                      rs.getLong(3),
                      rs.getString(4),
                      rs.getLong(5),
                      rs.getLong(6),
                      rs.getString(7),
                      rs.getString(8),
                      rs.getString(9),
                      rs.getString(10),
                      rs.getString(11),
                      rs.getString(12),
                      rs.getString(13),
                      rs.getString(14),
                      rs.getBytes(15),
                      rs.getString(16)),
                  rs.getObject(17) != null));
        }
      }
      return out;
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading the feed after position " + position, e);
    }
  }

  @Override
  public long lastPosition() {
    try (Connection c = db.read()) {
      return SqliteHeads.lastPk(c);
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading the last feed position", e);
    }
  }

  @Override
  public long lastPosition(String tenant) {
    return longQuery(
        "SELECT max(coalesce((SELECT pk FROM events WHERE tenant = ?1"
            + " ORDER BY seq DESC LIMIT 1), 0), coalesce((SELECT last_pk FROM"
            + " events_deleted_heads WHERE tenant = ?1), 0), coalesce((SELECT max(pk) FROM"
            + " events WHERE tenant = ?1 AND restored_until IS NOT NULL), 0))",
        tenant);
  }

  @Override
  public long consumerPosition(String consumer) {
    return longQuery(
        "SELECT coalesce((SELECT position FROM feed_consumers WHERE name = ?), 0)", consumer);
  }

  @Override
  public List<DeadLetter> deadLetters(String consumer, int limit) {
    String sql =
        "SELECT position, tenant, seq, event_id, error, attempts, failed_at"
            + " FROM feed_dead_letters WHERE consumer = ? ORDER BY position LIMIT ?";
    List<DeadLetter> out = new ArrayList<>();
    try (Connection c = db.read();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, consumer);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new DeadLetter(
                  consumer,
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getLong(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getInt(6),
                  rs.getLong(7)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading dead letters", e);
    }
  }

  private long longQuery(String sql, @Nullable String param) {
    try (Connection c = db.read();
        PreparedStatement ps = c.prepareStatement(sql)) {
      if (param != null) {
        ps.setString(1, param);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading a feed position", e);
    }
  }

  @Override
  public byte @Nullable [] readTile(String tenant, int level, long index) {
    String sql = "SELECT hashes FROM log_tiles WHERE tenant = ? AND level = ? AND idx = ?";
    try (Connection c = db.read();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, tenant);
      ps.setInt(2, level);
      ps.setLong(3, index);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getBytes(1) : null;
      }
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading tile " + level + "/" + index, e);
    }
  }

  @Override
  public Optional<StoredCheckpoint> latestCheckpoint(String tenant) {
    List<StoredCheckpoint> one =
        checkpointsWhere(
            "tree_size = (SELECT max(tree_size) FROM" + " log_checkpoints WHERE tenant = ?1)",
            tenant,
            -1,
            1);
    return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
  }

  @Override
  public Optional<StoredCheckpoint> checkpoint(String tenant, long treeSize) {
    List<StoredCheckpoint> one = checkpointsWhere("tree_size = ?2", tenant, treeSize, 1);
    return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
  }

  @Override
  public List<StoredCheckpoint> checkpoints(String tenant, long sinceSize, int limit) {
    return checkpointsWhere("tree_size >= ?2", tenant, sinceSize, limit);
  }

  private List<StoredCheckpoint> checkpointsWhere(
      String condition, String tenant, long size, int limit) {
    String sql =
        "SELECT tree_size, root_hash, note, signed_at FROM log_checkpoints"
            + " WHERE tenant = ?1 AND "
            + condition
            + " ORDER BY tree_size LIMIT ?3";
    List<StoredCheckpoint> out = new ArrayList<>();
    try (Connection c = db.read();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, tenant);
      ps.setLong(2, size);
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new StoredCheckpoint(rs.getLong(1), rs.getBytes(2), rs.getString(3), rs.getLong(4)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading checkpoints", e);
    }
  }

  private Optional<StoredEvent> single(String sql, String tenant, String id) {
    try (Connection c = db.read();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, tenant);
      ps.setString(2, id);
      List<StoredEvent> all = readAll(ps);
      return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading an event", e);
    }
  }

  private static List<StoredEvent> readAll(PreparedStatement ps) throws SQLException {
    List<StoredEvent> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(event(rs));
      }
    }
    return out;
  }

  /** The event in the current row, read as {@link #COLUMNS}. */
  private static StoredEvent event(ResultSet rs) throws SQLException {
    long untilValue = rs.getLong(6);
    Long until = rs.wasNull() ? null : untilValue;
    return new StoredEvent(
        rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getBytes(4), rs.getString(5), until);
  }

  @Override
  public void close() {
    db.close();
  }
}
