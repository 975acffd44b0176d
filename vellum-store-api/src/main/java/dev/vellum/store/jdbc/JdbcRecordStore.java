package dev.vellum.store.jdbc;

import dev.vellum.store.RecordStore;
import dev.vellum.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@link RecordStore} over the {@code records} table, in SQL that SQLite (3.35+) and PostgreSQL
 * both run unchanged; each engine creates the table in its own migrations.
 */
public final class JdbcRecordStore implements RecordStore {
  /** Opens a connection in auto-commit mode; closing it returns it to its pool. */
  @FunctionalInterface
  public interface Connections {
    Connection open() throws SQLException;
  }

  /** Turns a driver error into the engine's {@link StoreException}. */
  @FunctionalInterface
  public interface Errors {
    StoreException wrap(String doing, SQLException e);
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private static final String COLUMNS =
      "kind, tenant, id, body, status, due_at, version, updated_at";
  private static final String UPSERT =
      "INSERT INTO records ("
          + COLUMNS
          + ") VALUES (?,?,?,?,?,?,1,?)"
          + " ON CONFLICT (kind, tenant, id) DO UPDATE SET body = excluded.body,"
          + " status = excluded.status, due_at = excluded.due_at,"
          + " version = records.version + 1, updated_at = excluded.updated_at";

  private final Connections connections;
  private final Errors errors;

  public JdbcRecordStore(Connections connections, Errors errors) {
    this.connections = connections;
    this.errors = errors;
  }

  @Override
  public Optional<Entry> get(String kind, String tenant, String id) {
    List<Entry> found =
        query(
            "SELECT " + COLUMNS + " FROM records WHERE kind = ? AND tenant = ? AND id = ?",
            ps -> {
              ps.setString(1, kind);
              ps.setString(2, tenant);
              ps.setString(3, id);
            });
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  @Override
  public List<Entry> list(
      String kind, String tenant, @Nullable String status, String afterId, int limit) {
    String byStatus = status == null ? "" : " AND status = ?";
    return query(
        "SELECT "
            + COLUMNS
            + " FROM records WHERE kind = ? AND tenant = ? AND id > ?"
            + byStatus
            + " ORDER BY id LIMIT ?",
        ps -> {
          int i = 1;
          ps.setString(i++, kind);
          ps.setString(i++, tenant);
          ps.setString(i++, afterId);
          if (status != null) {
            ps.setString(i++, status);
          }
          ps.setInt(i, Math.max(0, limit));
        });
  }

  @Override
  public List<Entry> due(String kind, String status, long dueAtOrBeforeMicros, int limit) {
    return query(
        "SELECT "
            + COLUMNS
            + " FROM records WHERE kind = ? AND status = ?"
            + " AND due_at > 0 AND due_at <= ? ORDER BY due_at, tenant, id LIMIT ?",
        ps -> {
          ps.setString(1, kind);
          ps.setString(2, status);
          ps.setLong(3, dueAtOrBeforeMicros);
          ps.setInt(4, Math.max(0, limit));
        });
  }

  @Override
  public long count(String kind, String tenant, @Nullable String status) {
    String sql =
        "SELECT COUNT(*) FROM records WHERE kind = ? AND tenant = ?"
            + (status == null ? "" : " AND status = ?");
    try (Connection c = connections.open();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, kind);
      ps.setString(2, tenant);
      if (status != null) {
        ps.setString(3, status);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    } catch (SQLException e) {
      throw errors.wrap("counting records", e);
    }
  }

  @Override
  public long put(Entry e, long expectedVersion) {
    if (expectedVersion == ANY_VERSION) {
      return returningVersion(UPSERT + " RETURNING version", ps -> bindInsert(ps, e));
    }
    if (expectedVersion == ABSENT) {
      return returningVersion(
          "INSERT INTO records ("
              + COLUMNS
              + ") VALUES (?,?,?,?,?,?,1,?)"
              + " ON CONFLICT (kind, tenant, id) DO NOTHING RETURNING version",
          ps -> bindInsert(ps, e));
    }
    return returningVersion(
        "UPDATE records SET body = ?, status = ?, due_at = ?, version = version + 1,"
            + " updated_at = ? WHERE kind = ? AND tenant = ? AND id = ? AND version = ?"
            + " RETURNING version",
        ps -> {
          ps.setString(1, e.body());
          setStatus(ps, 2, e.status());
          ps.setLong(3, e.dueMicros());
          ps.setLong(4, e.updatedAtMicros());
          ps.setString(5, e.kind());
          ps.setString(6, e.tenant());
          ps.setString(7, e.id());
          ps.setLong(8, expectedVersion);
        });
  }

  @Override
  public void putAll(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    try (Connection c = connections.open()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
        for (Entry e : entries) {
          bindInsert(ps, e);
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException ex) {
        c.rollback();
        throw ex;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw errors.wrap("writing records", e);
    }
  }

  @Override
  public boolean delete(String kind, String tenant, String id) {
    try (Connection c = connections.open();
        PreparedStatement ps =
            c.prepareStatement("DELETE FROM records WHERE kind = ? AND tenant = ? AND id = ?")) {
      ps.setString(1, kind);
      ps.setString(2, tenant);
      ps.setString(3, id);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw errors.wrap("deleting a record", e);
    }
  }

  private long returningVersion(String sql, Binder binder) {
    try (Connection c = connections.open();
        PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    } catch (SQLException e) {
      throw errors.wrap("writing a record", e);
    }
  }

  private List<Entry> query(String sql, Binder binder) {
    try (Connection c = connections.open();
        PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      List<Entry> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Entry(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getLong(6),
                  rs.getLong(7),
                  rs.getLong(8)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw errors.wrap("reading records", e);
    }
  }

  private static void bindInsert(PreparedStatement ps, Entry e) throws SQLException {
    ps.setString(1, e.kind());
    ps.setString(2, e.tenant());
    ps.setString(3, e.id());
    ps.setString(4, e.body());
    setStatus(ps, 5, e.status());
    ps.setLong(6, e.dueMicros());
    ps.setLong(7, e.updatedAtMicros());
  }

  private static void setStatus(PreparedStatement ps, int index, @Nullable String status)
      throws SQLException {
    if (status == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setString(index, status);
    }
  }
}
