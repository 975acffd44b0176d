package dev.vellum.store.sqlite;

import dev.vellum.store.EventFilter;
import dev.vellum.store.EventStore;
import dev.vellum.store.NewEvent;
import dev.vellum.store.StatsBucket;
import dev.vellum.store.StoreException;
import dev.vellum.store.StoredCheckpoint;
import dev.vellum.store.StoredEvent;
import dev.vellum.store.TileWrite;
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

/** {@link EventStore} on one SQLite file. */
public final class SqliteEventStore implements EventStore {
  private static final String INSERT_EVENT = "INSERT INTO events (tenant, seq, id, occurred_at,"
      + " received_at, type, category, source, outcome, severity, actor_id, actor_ip, session_id,"
      + " leaf_hash, body, pk) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  private static final String UPSERT_TILE = "INSERT INTO log_tiles (tenant, level, idx, hashes)"
      + " VALUES (?,?,?,?) ON CONFLICT (tenant, level, idx) DO UPDATE SET hashes = excluded.hashes";
  private static final String COLUMNS = "e.seq, e.id, e.occurred_at, e.leaf_hash, e.body";

  private final SqliteDatabase db;
  private final SearchIndexer indexer;
  /** The largest events.pk written; only the writer uses it, -1 = read it from the file. */
  private long lastPk = -1;

  public SqliteEventStore(SqliteDatabase db) {
    this(db, SearchIndexer.MAX_WAITING_ROWS);
  }

  /** {@code maxWaitingRows}: how many committed events may wait in memory for the indexer. */
  SqliteEventStore(SqliteDatabase db, int maxWaitingRows) {
    this.db = db;
    this.indexer = SearchIndexer.start(db, maxWaitingRows);
  }

  @Override
  public long nextSeq(String tenant) {
    try (Connection c = db.read();
        PreparedStatement ps = c.prepareStatement(
            "SELECT max(seq) FROM events WHERE tenant = ?")) {
      ps.setString(1, tenant);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long max = rs.getLong(1);
        return rs.wasNull() ? 0 : max + 1;
      }
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading the next seq of tenant " + tenant, e);
    }
  }

  @Override
  public Map<String, StoredEvent> findByIds(String tenant, Collection<String> ids) {
    Map<String, StoredEvent> found = new HashMap<>();
    if (ids.isEmpty()) {
      return found;
    }
    List<String> all = new ArrayList<>(ids);
    for (int from = 0; from < all.size(); from += 500) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
      String sql = "SELECT " + COLUMNS + " FROM events e WHERE e.tenant = ? AND e.id IN ("
          + "?,".repeat(chunk.size() - 1) + "?)";
      // Only the sequencer writes, so a reader sees every committed id.
      try (Connection c = db.read(); PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, tenant);
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 2, chunk.get(i));
        }
        for (StoredEvent e : readAll(ps)) {
          found.put(e.id(), e);
        }
      } catch (SQLException e) {
        throw SqliteErrors.wrap("looking up event ids", e);
      }
    }
    return found;
  }

  @Override
  public void append(List<NewEvent> events, List<TileWrite> tiles) {
    Connection c = db.writer();
    try (PreparedStatement ev = c.prepareStatement(INSERT_EVENT);
        PreparedStatement tile = c.prepareStatement(UPSERT_TILE)) {
      // pks are assigned here, not by SQLite, so the indexer can be handed the rows by pk
      long firstPk = (lastPk < 0 ? maxPk(c) : lastPk) + 1;
      long pk = firstPk;
      for (NewEvent e : events) {
        bindEvent(ev, e);
        ev.setLong(16, pk++);
        ev.addBatch();
      }
      ev.executeBatch();
      for (TileWrite t : tiles) {
        tile.setString(1, t.tenant());
        tile.setInt(2, t.level());
        tile.setLong(3, t.index());
        tile.setBytes(4, t.hashes());
        tile.addBatch();
      }
      tile.executeBatch();
      c.commit();
      lastPk = pk - 1;
      indexer.committed(firstPk, events);
    } catch (SQLException e) {
      lastPk = -1;
      rollbackQuietly(c);
      db.resetWriter();
      throw SqliteErrors.wrap("committing " + events.size() + " events", e);
    } catch (RuntimeException e) {
      lastPk = -1;
      rollbackQuietly(c);
      db.resetWriter();
      throw e;
    }
  }

  private static long maxPk(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(pk), 0) FROM events");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void bindEvent(PreparedStatement ps, NewEvent e) throws SQLException {
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
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the original failure is what the caller needs to see
    }
  }

  @Override
  public long unindexedEvents() {
    return indexer.lag();
  }

  @Override
  public Optional<StoredEvent> findById(String tenant, String id) {
    return single("SELECT " + COLUMNS + " FROM events e WHERE e.tenant = ? AND e.id = ?",
        tenant, id);
  }

  /**
   * Searches. A filter answered from the search index first waits (up to a few seconds) until
   * the indexer has caught up with every event committed before the query began, so a client
   * finds what it was just told is stored.
   */
  @Override
  public List<StoredEvent> query(EventFilter filter) {
    SqliteQuery q = SqliteQuery.of(filter);
    if (q.usesSearchIndex()) {
      indexer.awaitCaughtUp(java.time.Duration.ofSeconds(5));
    }
    try (Connection c = db.read(); PreparedStatement ps = c.prepareStatement(q.sql())) {
      q.bind(ps);
      return readAll(ps);
    } catch (SQLException e) {
      throw SqliteErrors.wrap("querying events", e);
    }
  }

  @Override
  public List<StatsBucket> stats(String tenant, long fromMicros, long toMicros, long bucketMicros,
      String groupColumn) {
    if (!List.of("type", "outcome", "source", "category", "severity").contains(groupColumn)) {
      throw new IllegalArgumentException("cannot group by " + groupColumn);
    }
    String sql = "SELECT (occurred_at - ?) / ? AS b, " + groupColumn + ", count(*) FROM events"
        + " WHERE tenant = ? AND occurred_at >= ? AND occurred_at < ? GROUP BY b, "
        + groupColumn + " ORDER BY b";
    List<StatsBucket> out = new ArrayList<>();
    try (Connection c = db.read(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, fromMicros);
      ps.setLong(2, bucketMicros);
      ps.setString(3, tenant);
      ps.setLong(4, fromMicros);
      ps.setLong(5, toMicros);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new StatsBucket(fromMicros + rs.getLong(1) * bucketMicros, rs.getString(2),
              rs.getLong(3)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw SqliteErrors.wrap("counting events", e);
    }
  }

  @Override
  public List<StoredEvent> range(String tenant, long fromSeq, long toSeq) {
    String sql = "SELECT " + COLUMNS + " FROM events e WHERE e.tenant = ? AND e.seq >= ?"
        + " AND e.seq < ? ORDER BY e.seq";
    try (Connection c = db.read(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, tenant);
      ps.setLong(2, fromSeq);
      ps.setLong(3, toSeq);
      return readAll(ps);
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading events by seq", e);
    }
  }

  @Override
  public byte[] readTile(String tenant, int level, long index) {
    String sql = "SELECT hashes FROM log_tiles WHERE tenant = ? AND level = ? AND idx = ?";
    try (Connection c = db.read(); PreparedStatement ps = c.prepareStatement(sql)) {
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
  public void saveCheckpoint(String tenant, StoredCheckpoint cp) {
    String sql = "INSERT OR IGNORE INTO log_checkpoints (tenant, tree_size, root_hash, note,"
        + " signed_at) VALUES (?,?,?,?,?)";
    try (Connection c = db.read(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, tenant);
      ps.setLong(2, cp.treeSize());
      ps.setBytes(3, cp.rootHash());
      ps.setString(4, cp.note());
      ps.setLong(5, cp.signedAtMicros());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw SqliteErrors.wrap("saving checkpoint " + cp.treeSize(), e);
    }
  }

  @Override
  public Optional<StoredCheckpoint> latestCheckpoint(String tenant) {
    List<StoredCheckpoint> one = checkpointsWhere("tree_size = (SELECT max(tree_size) FROM"
        + " log_checkpoints WHERE tenant = ?1)", tenant, -1, 1);
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

  private List<StoredCheckpoint> checkpointsWhere(String condition, String tenant, long size,
      int limit) {
    String sql = "SELECT tree_size, root_hash, note, signed_at FROM log_checkpoints"
        + " WHERE tenant = ?1 AND " + condition + " ORDER BY tree_size LIMIT ?3";
    List<StoredCheckpoint> out = new ArrayList<>();
    try (Connection c = db.read(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, tenant);
      ps.setLong(2, size);
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new StoredCheckpoint(rs.getLong(1), rs.getBytes(2), rs.getString(3),
              rs.getLong(4)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading checkpoints", e);
    }
  }

  private Optional<StoredEvent> single(String sql, String tenant, String id) {
    try (Connection c = db.read(); PreparedStatement ps = c.prepareStatement(sql)) {
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
        out.add(new StoredEvent(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getBytes(4),
            rs.getString(5)));
      }
    }
    return out;
  }

  @Override
  public void close() {
    indexer.close();
    db.close();
  }
}
