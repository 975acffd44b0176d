package dev.vellum.store.postgres;

import dev.vellum.store.DirectoryStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** {@link DirectoryStore} in the same PostgreSQL schema as the events, shared by every node. */
public final class PostgresDirectoryStore implements DirectoryStore {
  private final PostgresDatabase db;

  public PostgresDirectoryStore(PostgresDatabase db) {
    this.db = db;
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  @FunctionalInterface
  private interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /**
   * Runs the change and, in the same transaction when it changed a row, notifies the other nodes'
   * {@link DirectoryListener}s, so no node can see the new row yet miss the notification.
   */
  private int update(String sql, Binder binder, Change change) {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(sql);
          PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
        binder.bind(ps);
        int rows = ps.executeUpdate();
        if (rows > 0) {
          notify.setString(1, DirectoryListener.channel(db.schema()));
          notify.setString(2, DirectoryListener.payload(change));
          notify.execute();
        }
        c.commit();
        return rows;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw PostgresErrors.wrap("updating the directory", e);
    }
  }

  /** The {@code application_name} of a node's directory listener session on this schema. */
  public static String listenerName(String schema) {
    return DirectoryListener.applicationName(schema);
  }

  @Override
  public Subscription listen(Consumer<Change> listener) {
    return DirectoryListener.start(db, listener);
  }

  @Override
  public void announce(Change change) {
    try (Connection c = db.connection();
        PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      notify.setString(1, DirectoryListener.channel(db.schema()));
      notify.setString(2, DirectoryListener.payload(change));
      notify.execute();
    } catch (SQLException e) {
      throw PostgresErrors.wrap("announcing " + change, e);
    }
  }

  private <T> List<T> list(String sql, Binder binder, RowMapper<T> mapper) {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw PostgresErrors.wrap("reading the directory", e);
    }
  }

  /**
   * True when a key holds a NUL character: PostgreSQL text cannot hold one, so nothing stored can
   * match it, and the lookup answers "not found" as the SQLite engine would, not a failure.
   */
  private static boolean unstorable(String... keys) {
    for (String k : keys) {
      if (k.indexOf('\u0000') >= 0) {
        return true;
      }
    }
    return false;
  }

  private static <T> Optional<T> first(List<T> all) {
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  @Override
  public boolean createTenant(Tenant t) {
    return update(
            "INSERT INTO tenants (id, name, created_at) VALUES (?,?,?) ON CONFLICT (id) DO NOTHING",
            ps -> {
              ps.setString(1, t.id());
              ps.setString(2, t.name());
              ps.setLong(3, t.createdAtMicros());
            },
            new Change(Change.Kind.TENANT, t.id(), ""))
        == 1;
  }

  @Override
  public Optional<Tenant> tenant(String id) {
    if (unstorable(id)) {
      return Optional.empty();
    }
    return first(
        list(
            "SELECT id, name, created_at FROM tenants WHERE id = ?",
            ps -> ps.setString(1, id),
            PostgresDirectoryStore::tenantOf));
  }

  @Override
  public List<Tenant> tenants() {
    return list(
        "SELECT id, name, created_at FROM tenants ORDER BY id",
        ps -> {},
        PostgresDirectoryStore::tenantOf);
  }

  private static Tenant tenantOf(ResultSet rs) throws SQLException {
    return new Tenant(rs.getString(1), rs.getString(2), rs.getLong(3));
  }

  @Override
  public void putSource(Source s) {
    update(
        "INSERT INTO sources (tenant, code, name, description, created_at) VALUES (?,?,?,?,?)"
            + " ON CONFLICT (tenant, code) DO UPDATE SET name = excluded.name,"
            + " description = excluded.description",
        ps -> {
          ps.setString(1, s.tenant());
          ps.setString(2, s.code());
          ps.setString(3, s.name());
          ps.setString(4, s.description());
          ps.setLong(5, s.createdAtMicros());
        },
        new Change(Change.Kind.SOURCE, s.tenant(), s.code()));
  }

  @Override
  public Optional<Source> source(String tenant, String code) {
    if (unstorable(tenant, code)) {
      return Optional.empty();
    }
    return first(
        list(
            "SELECT tenant, code, name, description, created_at FROM sources"
                + " WHERE tenant = ? AND code = ?",
            ps -> {
              ps.setString(1, tenant);
              ps.setString(2, code);
            },
            PostgresDirectoryStore::sourceOf));
  }

  @Override
  public List<Source> sources(String tenant) {
    return list(
        "SELECT tenant, code, name, description, created_at FROM sources"
            + " WHERE tenant = ? ORDER BY code",
        ps -> ps.setString(1, tenant),
        PostgresDirectoryStore::sourceOf);
  }

  private static Source sourceOf(ResultSet rs) throws SQLException {
    return new Source(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5));
  }

  @Override
  public void insertKey(ApiKey k) {
    update(
        "INSERT INTO api_keys (id, tenant, name, secret_hash, scopes, sources, created_at)"
            + " VALUES (?,?,?,?,?,?,?)",
        ps -> {
          ps.setString(1, k.id());
          ps.setString(2, k.tenant());
          ps.setString(3, k.name());
          ps.setString(4, k.secretHash());
          ps.setString(5, String.join(" ", k.scopes()));
          ps.setString(6, String.join(" ", k.sources()));
          ps.setLong(7, k.createdAtMicros());
        },
        new Change(Change.Kind.KEY, k.tenant(), k.id()));
  }

  private static final String KEY_COLUMNS =
      "id, tenant, name, secret_hash, scopes, sources, created_at, revoked_at";

  @Override
  public Optional<ApiKey> keyBySecretHash(String secretHash) {
    if (unstorable(secretHash)) {
      return Optional.empty();
    }
    return first(
        list(
            "SELECT " + KEY_COLUMNS + " FROM api_keys WHERE secret_hash = ?",
            ps -> ps.setString(1, secretHash),
            PostgresDirectoryStore::keyOf));
  }

  @Override
  public List<ApiKey> keys(String tenant) {
    return list(
        "SELECT " + KEY_COLUMNS + " FROM api_keys WHERE tenant = ? ORDER BY created_at",
        ps -> ps.setString(1, tenant),
        PostgresDirectoryStore::keyOf);
  }

  private static ApiKey keyOf(ResultSet rs) throws SQLException {
    long revoked = rs.getLong(8);
    Long revokedAt = rs.wasNull() ? null : revoked;
    return new ApiKey(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        words(rs.getString(5)),
        words(rs.getString(6)),
        rs.getLong(7),
        revokedAt);
  }

  private static Set<String> words(String s) {
    Set<String> out = new LinkedHashSet<>();
    if (s != null && !s.isBlank()) {
      out.addAll(Arrays.asList(s.trim().split(" +")));
    }
    return out;
  }

  @Override
  public boolean revokeKey(String tenant, String keyId, long atMicros) {
    return update(
            "UPDATE api_keys SET revoked_at = ? WHERE tenant = ? AND id = ?"
                + " AND revoked_at IS NULL",
            ps -> {
              ps.setLong(1, atMicros);
              ps.setString(2, tenant);
              ps.setString(3, keyId);
            },
            new Change(Change.Kind.KEY, tenant, keyId))
        == 1;
  }

  @Override
  public void putEventType(EventType t) {
    update(
        "INSERT INTO event_types (tenant, type, category, schema, updated_at) VALUES (?,?,?,?,?)"
            + " ON CONFLICT (tenant, type) DO UPDATE SET category = excluded.category,"
            + " schema = excluded.schema, updated_at = excluded.updated_at",
        ps -> {
          ps.setString(1, t.tenant());
          ps.setString(2, t.type());
          ps.setString(3, t.category());
          ps.setString(4, t.schema());
          ps.setLong(5, t.updatedAtMicros());
        },
        new Change(Change.Kind.EVENT_TYPE, t.tenant(), t.type()));
  }

  @Override
  public Optional<EventType> eventType(String tenant, String type) {
    if (unstorable(tenant, type)) {
      return Optional.empty();
    }
    return first(
        list(
            "SELECT tenant, type, category, schema, updated_at FROM event_types"
                + " WHERE tenant = ? AND type = ?",
            ps -> {
              ps.setString(1, tenant);
              ps.setString(2, type);
            },
            PostgresDirectoryStore::typeOf));
  }

  @Override
  public List<EventType> eventTypes(String tenant) {
    return list(
        "SELECT tenant, type, category, schema, updated_at FROM event_types"
            + " WHERE tenant = ? ORDER BY type",
        ps -> ps.setString(1, tenant),
        PostgresDirectoryStore::typeOf);
  }

  private static EventType typeOf(ResultSet rs) throws SQLException {
    return new EventType(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5));
  }

  @Override
  public void putUsagePlan(UsagePlan p) {
    update(
        "INSERT INTO usage_plans (key_id, tenant, requests_per_second, burst, quota,"
            + " quota_period, updated_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT(key_id) DO UPDATE SET"
            + " requests_per_second = excluded.requests_per_second, burst = excluded.burst,"
            + " quota = excluded.quota, quota_period = excluded.quota_period,"
            + " updated_at = excluded.updated_at",
        ps -> {
          ps.setString(1, p.keyId());
          ps.setString(2, p.tenant());
          ps.setLong(3, p.requestsPerSecond());
          ps.setLong(4, p.burst());
          ps.setObject(5, p.quota());
          ps.setString(6, p.quotaPeriod());
          ps.setLong(7, p.updatedAtMicros());
        },
        new Change(Change.Kind.USAGE_PLAN, p.tenant(), p.keyId()));
  }

  @Override
  public Optional<UsagePlan> usagePlan(String keyId) {
    if (unstorable(keyId)) {
      return Optional.empty();
    }
    return first(
        list(
            "SELECT key_id, tenant, requests_per_second, burst, quota, quota_period,"
                + " updated_at FROM usage_plans WHERE key_id = ?",
            ps -> ps.setString(1, keyId),
            rs ->
                new UsagePlan(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getLong(3),
                    rs.getLong(4),
                    rs.getObject(5) == null ? null : rs.getLong(5),
                    rs.getString(6),
                    rs.getLong(7))));
  }
}
