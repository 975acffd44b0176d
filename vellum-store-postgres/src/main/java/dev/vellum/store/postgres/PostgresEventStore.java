package dev.vellum.store.postgres;

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
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@link EventStore} on PostgreSQL, for one or several Vellum nodes sharing one database.
 *
 * <p><b>Several writers.</b> Each node has its own sequencer; any node may write for any tenant. A
 * commit holds a row lock on each of its tenants' {@code tenant_heads} rows from reading the head
 * to COMMIT ({@code SELECT ... FOR UPDATE}, in tenant order), and the writer computes seqs and
 * Merkle tiles against that head inside the same transaction ({@link #append(Set, Stager)}): two
 * nodes committing for one tenant at once commit one after the other, each continuing the other's
 * log. {@link #append(WriteBatch)} checks a batch computed beforehand against the locked head and
 * rejects it when its seqs do not continue the log (the fence against a stale writer).
 *
 * <p><b>Feed positions: FEED.md option 2, "serialise the commit".</b> Positions are assigned under
 * {@code pg_advisory_xact_lock} on a fixed key (one per schema), taken just before assigning them
 * and released by COMMIT, so they become visible strictly in order; a counter row ({@code
 * feed_head}) gives each batch consecutive positions without a max() over every partition. Each
 * node still group-commits its own queue, so one lock acquisition covers a whole batch. Option 3
 * (transaction-id high-water mark) would let commits of different nodes overlap, at the cost of
 * readers lagging by the longest open write; not chosen without a measurement showing the lock
 * matters.
 *
 * <p><b>Partitions.</b> {@code events} is partitioned by month of {@code received_at}: the server's
 * clock, so a commit touches one month's partition and its indexes only, and a retention job can
 * drop a whole month whose events were all received long enough ago. {@code occurred_at} was not
 * chosen: it is the client's clock, so late or back-dated events would write into (and keep alive)
 * old partitions, and every commit could touch many partitions' indexes.
 *
 * <p>Reads run on the pool and see only committed data.
 */
public final class PostgresEventStore implements EventStore {
  private static final String COLUMNS = "seq, id, occurred_at, leaf_hash, body, restored_until";
  private static final String FEED_COLUMNS =
      "position, tenant, seq, id, occurred_at, received_at, type, category, source, outcome,"
          + " severity, actor_id, actor_ip, session_id, leaf_hash, body, restored_until";

  private final PostgresDatabase db;
  private final PostgresAppender appender;

  public PostgresEventStore(PostgresDatabase db) {
    this.db = db;
    this.appender = new PostgresAppender(db);
  }

  @Override
  public long nextSeq(String tenant) {
    return longQuery(
        "SELECT coalesce((SELECT next_seq FROM tenant_heads WHERE tenant = ?), 0)", tenant);
  }

  /**
   * Deletes rows under the tenant's head lock (the one appends hold), so a concurrent append of the
   * tenant on any node commits before or after, never between the check and the delete. {@code
   * tenant_heads} and {@code feed_head} are not touched: seqs and positions never go back.
   * Whole-month partition drops ({@link #partitionRetention}) are not used for hot retention: a
   * month holds every tenant's events, and each tenant's archive progresses on its own.
   */
  @Override
  public long deleteRange(String tenant, long fromSeq, long toSeq) {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try {
        long next;
        try (PreparedStatement ps =
            c.prepareStatement("SELECT next_seq FROM tenant_heads WHERE tenant = ? FOR UPDATE")) {
          ps.setString(1, tenant);
          try (ResultSet rs = ps.executeQuery()) {
            next = rs.next() ? rs.getLong(1) : 0;
          }
        }
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
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO events_deleted_ids (tenant, id, seq) SELECT tenant, id, seq FROM"
                    + " events WHERE tenant = ? AND seq >= ? AND seq < ?"
                    + " ON CONFLICT (tenant, id) DO UPDATE SET seq = excluded.seq")) {
          ps.setString(1, tenant);
          ps.setLong(2, fromSeq);
          ps.setLong(3, toSeq);
          ps.executeUpdate();
        }
        int deleted;
        try (PreparedStatement ps =
            c.prepareStatement("DELETE FROM events WHERE tenant = ? AND seq >= ? AND seq < ?")) {
          ps.setString(1, tenant);
          ps.setLong(2, fromSeq);
          ps.setLong(3, toSeq);
          deleted = ps.executeUpdate();
        }
        c.commit();
        return deleted;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw PostgresErrors.wrap("deleting events of tenant " + tenant, e);
    }
  }

  @Override
  public long restore(String tenant, List<NewEvent> events, long restoredUntilMicros) {
    return appender.restore(tenant, events, restoredUntilMicros);
  }

  @Override
  public List<StoredEvent> restoredExpiring(String tenant, long untilMicros, int limit) {
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM events WHERE tenant = ? AND restored_until IS NOT NULL"
            + " AND restored_until <= ? ORDER BY seq LIMIT ?";
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, tenant);
      ps.setLong(2, untilMicros);
      ps.setInt(3, limit);
      return readAll(ps);
    } catch (SQLException e) {
      throw PostgresErrors.wrap("reading restored events", e);
    }
  }

  @Override
  public java.util.OptionalLong deletedSeq(String tenant, String id) {
    if (id.indexOf('\u0000') >= 0) {
      return java.util.OptionalLong.empty();
    }
    try (Connection c = db.connection();
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
      throw PostgresErrors.wrap("reading a deleted event's seq", e);
    }
  }

  @Override
  public long append(WriteBatch batch) {
    Set<String> tenants = new HashSet<>();
    Set<YearMonth> months = new HashSet<>();
    for (NewEvent e : batch.events()) {
      tenants.add(e.tenant());
      months.add(Partitions.monthOf(e.receivedAtMicros()));
    }
    return appender.append(tenants, heads -> batch, months);
  }

  @Override
  public long append(Set<String> tenants, Stager stager) {
    return appender.append(tenants, stager, new HashSet<>());
  }

  @Override
  public Map<String, StoredEvent> findByIds(String tenant, Collection<String> ids) {
    return findIn(tenant, "id", "text", ids, ResultSet::getString);
  }

  @Override
  public Map<Long, StoredEvent> findBySeqs(String tenant, Collection<Long> seqs) {
    return findIn(tenant, "seq", "bigint", seqs, ResultSet::getLong);
  }

  @Override
  public Map<Long, StoredEvent> findByPositions(String tenant, Collection<Long> positions) {
    return findIn(tenant, "position", "bigint", positions, ResultSet::getLong);
  }

  /** Reads the key column of a result row. */
  @FunctionalInterface
  private interface KeyReader<K> {
    K read(ResultSet rs, int index) throws SQLException;
  }

  /**
   * The tenant's events whose {@code column} is among {@code values}, keyed by that column, in
   * chunks of 1,000.
   */
  private <K> Map<K, StoredEvent> findIn(
      String tenant, String column, String sqlType, Collection<K> values, KeyReader<K> key) {
    Map<K, StoredEvent> found = new HashMap<>();
    List<K> all = new ArrayList<>();
    for (K v : new LinkedHashSet<>(values)) {
      // PostgreSQL text cannot hold NUL, so no stored id has one: not found, not a failure
      if (!(v instanceof String text && text.indexOf('\u0000') >= 0)) {
        all.add(v);
      }
    }
    String sql =
        "SELECT "
            + COLUMNS
            + ", "
            + column
            + " FROM events WHERE tenant = ? AND "
            + column
            + " = ANY(?)";
    for (int from = 0; from < all.size(); from += 1_000) {
      List<K> chunk = all.subList(from, Math.min(all.size(), from + 1_000));
      try (Connection c = db.connection();
          PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, tenant);
        ps.setArray(2, c.createArrayOf(sqlType, chunk.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            found.put(key.read(rs, 7), event(rs));
          }
        }
      } catch (SQLException e) {
        throw PostgresErrors.wrap("reading events by " + column, e);
      }
    }
    return found;
  }

  @Override
  public Optional<StoredEvent> findById(String tenant, String id) {
    return Optional.ofNullable(findByIds(tenant, List.of(id)).get(id));
  }

  @Override
  public List<StoredEvent> range(String tenant, long fromSeq, long toSeq) {
    String sql =
        "SELECT " + COLUMNS + " FROM events WHERE tenant = ? AND seq >= ? AND seq < ? ORDER BY seq";
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, tenant);
      ps.setLong(2, fromSeq);
      ps.setLong(3, toSeq);
      return readAll(ps);
    } catch (SQLException e) {
      throw PostgresErrors.wrap("reading events by seq", e);
    }
  }

  /**
   * Sequential visibility holds because positions are assigned under a lock held to COMMIT (class
   * comment): a statement's snapshot that sees position p+1 sees every position ≤ p.
   */
  @Override
  public List<FeedEvent> after(long position, int limit) {
    String sql =
        "SELECT " + FEED_COLUMNS + " FROM events WHERE position > ? ORDER BY position LIMIT ?";
    List<FeedEvent> out = new ArrayList<>();
    try (Connection c = db.connection();
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
      throw PostgresErrors.wrap("reading the feed after position " + position, e);
    }
  }

  @Override
  public long lastPosition() {
    return longQuery("SELECT position FROM feed_head", null);
  }

  @Override
  public long lastPosition(String tenant) {
    return longQuery(
        "SELECT coalesce((SELECT last_position FROM tenant_heads WHERE tenant = ?), 0)", tenant);
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
    try (Connection c = db.connection();
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
      throw PostgresErrors.wrap("reading dead letters", e);
    }
  }

  private long longQuery(String sql, @Nullable String param) {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      if (param != null) {
        ps.setString(1, param);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw PostgresErrors.wrap("reading a position", e);
    }
  }

  @Override
  public byte @Nullable [] readTile(String tenant, int level, long index) {
    String sql = "SELECT hashes FROM log_tiles WHERE tenant = ? AND level = ? AND idx = ?";
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, tenant);
      ps.setInt(2, level);
      ps.setLong(3, index);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getBytes(1) : null;
      }
    } catch (SQLException e) {
      throw PostgresErrors.wrap("reading tile " + level + "/" + index, e);
    }
  }

  @Override
  public Optional<StoredCheckpoint> latestCheckpoint(String tenant) {
    List<StoredCheckpoint> one =
        checkpointsWhere("ORDER BY tree_size DESC LIMIT 1", tenant, null, 1);
    return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
  }

  @Override
  public Optional<StoredCheckpoint> checkpoint(String tenant, long treeSize) {
    List<StoredCheckpoint> one = checkpointsWhere("AND tree_size = ?", tenant, treeSize, 1);
    return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
  }

  @Override
  public List<StoredCheckpoint> checkpoints(String tenant, long sinceSize, int limit) {
    return checkpointsWhere(
        "AND tree_size >= ? ORDER BY tree_size LIMIT " + Math.max(0, limit),
        tenant,
        sinceSize,
        limit);
  }

  private List<StoredCheckpoint> checkpointsWhere(
      String rest, String tenant, @Nullable Long size, int limit) {
    String sql =
        "SELECT tree_size, root_hash, note, signed_at FROM log_checkpoints WHERE tenant = ? "
            + rest;
    List<StoredCheckpoint> out = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, tenant);
      if (size != null) {
        ps.setLong(2, size);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next() && out.size() < limit) {
          out.add(
              new StoredCheckpoint(rs.getLong(1), rs.getBytes(2), rs.getString(3), rs.getLong(4)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw PostgresErrors.wrap("reading checkpoints", e);
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

  /** The database this store writes to (shared with the {@link PostgresDirectoryStore}). */
  public PostgresDatabase database() {
    return db;
  }

  @Override
  public java.util.Optional<dev.vellum.store.PartitionRetention> partitionRetention() {
    return java.util.Optional.of(new PostgresPartitionRetention(db));
  }

  @Override
  public void close() {
    db.close();
  }
}
