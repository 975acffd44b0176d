package dev.vellum.search.sqlite;

import dev.vellum.search.SearchQuery;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Translates an {@link SearchQuery} into one SELECT with bound parameters.
 *
 * <p>The "driving" table decides which index gives the (occurred_at, seq) order of a page for
 * free: the most selective search-index table ({@code ix.*}, keyed by filter value then time)
 * when such a filter is present, otherwise the events table's (tenant, occurred_at, seq) index.
 * The other filters are checked on the event row. Pages continue from the keyset position,
 * never an OFFSET, so they stay correct while new events arrive.
 */
record SqliteQuery(String sql, List<Object> params, boolean usesSearchIndex) {

  /** A search-index table usable as the driver, with its key columns and values. */
  private record Driver(String table, List<String> columns, List<Object> values) {}

  static SqliteQuery of(SearchQuery f) {
    List<Object> params = new ArrayList<>();
    Driver driver = driver(f);
    StringBuilder sql = new StringBuilder("SELECT e.seq, e.id, e.occurred_at, e.leaf_hash, e.body");
    String d;
    if (driver != null) {
      sql.append(" FROM ix.").append(driver.table()).append(" d JOIN events e ON e.pk = d.pk")
          .append(" WHERE d.tenant = ?");
      params.add(f.tenant());
      for (int i = 0; i < driver.columns().size(); i++) {
        sql.append(" AND d.").append(driver.columns().get(i)).append(" = ?");
        params.add(driver.values().get(i));
      }
      d = "d";
    } else {
      sql.append(" FROM events e WHERE e.tenant = ?");
      params.add(f.tenant());
      d = "e";
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
    if (f.targetType() != null && (driver == null || !driver.table().equals("ix_target"))) {
      sql.append(" AND EXISTS (SELECT 1 FROM ix.ix_target t WHERE t.tenant = e.tenant"
          + " AND t.target_type = ? AND t.target_id = ? AND t.occurred_at = e.occurred_at"
          + " AND t.seq = e.seq)");
      params.add(f.targetType());
      params.add(f.targetId());
    }
    if (f.tag() != null && (driver == null || !driver.table().equals("ix_tag"))) {
      sql.append(" AND EXISTS (SELECT 1 FROM ix.ix_tag g WHERE g.tenant = e.tenant"
          + " AND g.tag = ? AND g.occurred_at = e.occurred_at AND g.seq = e.seq)");
      params.add(f.tag());
    }
    if (f.fullText() != null) {
      sql.append(" AND e.pk IN (SELECT rowid FROM ix.ix_fts WHERE ix_fts MATCH ?)");
      params.add(fts5(f.fullText()));
    }
    String dir = f.ascending() ? "ASC" : "DESC";
    sql.append(" ORDER BY ").append(d).append(".occurred_at ").append(dir).append(", ")
        .append(d).append(".seq ").append(dir).append(" LIMIT ?");
    params.add(f.limit());
    boolean indexed = driver != null || f.fullText() != null || f.targetType() != null
        || f.tag() != null;
    return new SqliteQuery(sql.toString(), params, indexed);
  }

  /**
   * The words as an FTS5 query in which every word must occur. Each word is quoted, so FTS5
   * operators in the input are matched literally; the last may be a prefix.
   */
  static String fts5(SearchQuery.FullText text) {
    StringBuilder q = new StringBuilder();
    for (String w : text.words()) {
      if (q.length() > 0) {
        q.append(' ');
      }
      q.append('"').append(w.replace("\"", "\"\"")).append('"');
    }
    return text.lastIsPrefix() ? q.append('*').toString() : q.toString();
  }

  /** The search-index table to drive the query from, most selective first; null for none. */
  private static @Nullable Driver driver(SearchQuery f) {
    if (f.targetType() != null) {
      return new Driver("ix_target", List.of("target_type", "target_id"),
          List.of(f.targetType(), f.targetId()));
    }
    if (f.sessionId() != null) {
      return new Driver("ix_session", List.of("session_id"), List.of(f.sessionId()));
    }
    if (f.actorId() != null) {
      return new Driver("ix_actor", List.of("actor_id"), List.of(f.actorId()));
    }
    if (f.actorIp() != null) {
      return new Driver("ix_actor_ip", List.of("actor_ip"), List.of(f.actorIp()));
    }
    if (f.tag() != null) {
      return new Driver("ix_tag", List.of("tag"), List.of(f.tag()));
    }
    if (f.types() != null && f.types().size() == 1) {
      return new Driver("ix_type", List.of("type"), List.of(f.types().get(0)));
    }
    return null;
  }

  private static void addTime(SearchQuery f, String d, StringBuilder sql, List<Object> params) {
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
      @Nullable String value) {
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
