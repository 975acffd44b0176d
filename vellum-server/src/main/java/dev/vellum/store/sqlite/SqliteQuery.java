package dev.vellum.store.sqlite;

import dev.vellum.store.EventFilter;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates an {@link EventFilter} into one SELECT with bound parameters.
 *
 * <p>The "driving" table decides which index gives the (occurred_at, seq) order for free: the
 * target or tag side-table when that filter is present (their primary keys start with the filter
 * value followed by time), otherwise the events table, whose per-column indexes all end in
 * (occurred_at, seq). Pages continue from the keyset position, never an OFFSET, so they stay
 * correct while new events arrive.
 */
record SqliteQuery(String sql, List<Object> params) {

  static SqliteQuery of(EventFilter f) {
    StringBuilder sql = new StringBuilder("SELECT e.seq, e.id, e.occurred_at, e.leaf_hash, e.body");
    List<Object> params = new ArrayList<>();
    String d;
    if (f.targetType() != null) {
      sql.append(" FROM event_targets d JOIN events e ON e.tenant = d.tenant AND e.seq = d.seq"
          + " WHERE d.tenant = ? AND d.target_type = ? AND d.target_id = ?");
      params.add(f.tenant());
      params.add(f.targetType());
      params.add(f.targetId());
      d = "d";
    } else if (f.tag() != null) {
      sql.append(" FROM event_tags d JOIN events e ON e.tenant = d.tenant AND e.seq = d.seq"
          + " WHERE d.tenant = ? AND d.tag = ?");
      params.add(f.tenant());
      params.add(f.tag());
      d = "d";
    } else {
      sql.append(" FROM events e WHERE e.tenant = ?");
      params.add(f.tenant());
      d = "e";
    }
    if (f.targetType() != null && f.tag() != null) {
      sql.append(" AND EXISTS (SELECT 1 FROM event_tags g WHERE g.tenant = e.tenant"
          + " AND g.tag = ? AND g.occurred_at = e.occurred_at AND g.seq = e.seq)");
      params.add(f.tag());
    }
    addTime(f, d, sql, params);
    addEquals(sql, params, "e.category", f.category());
    addEquals(sql, params, "e.source", f.source());
    addEquals(sql, params, "e.actor_id", f.actorId());
    addEquals(sql, params, "e.actor_ip", f.actorIp());
    addEquals(sql, params, "e.outcome", f.outcome());
    addEquals(sql, params, "e.severity", f.severity());
    addEquals(sql, params, "e.session_id", f.sessionId());
    if (f.types() != null && !f.types().isEmpty()) {
      sql.append(" AND e.type IN (").append("?,".repeat(f.types().size() - 1)).append("?)");
      params.addAll(f.types());
    }
    if (f.fullText() != null) {
      sql.append(" AND e.pk IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)");
      params.add(f.fullText());
    }
    String dir = f.ascending() ? "ASC" : "DESC";
    sql.append(" ORDER BY ").append(d).append(".occurred_at ").append(dir).append(", ")
        .append(d).append(".seq ").append(dir).append(" LIMIT ?");
    params.add(f.limit());
    return new SqliteQuery(sql.toString(), params);
  }

  private static void addTime(EventFilter f, String d, StringBuilder sql, List<Object> params) {
    if (f.fromMicros() != null) {
      sql.append(" AND ").append(d).append(".occurred_at >= ?");
      params.add(f.fromMicros());
    }
    if (f.toMicros() != null) {
      sql.append(" AND ").append(d).append(".occurred_at < ?");
      params.add(f.toMicros());
    }
    if (f.after() != null) {
      sql.append(" AND (").append(d).append(".occurred_at, ").append(d).append(".seq) ")
          .append(f.ascending() ? ">" : "<").append(" (?, ?)");
      params.add(f.after().occurredAtMicros());
      params.add(f.after().seq());
    }
  }

  private static void addEquals(StringBuilder sql, List<Object> params, String column,
      String value) {
    if (value != null) {
      sql.append(" AND ").append(column).append(" = ?");
      params.add(value);
    }
  }

  void bind(PreparedStatement ps) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      Object p = params.get(i);
      if (p instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (p instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else {
        ps.setString(i + 1, (String) p);
      }
    }
  }
}
