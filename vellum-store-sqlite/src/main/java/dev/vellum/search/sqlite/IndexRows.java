package dev.vellum.search.sqlite;

import dev.vellum.search.SearchDocument;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Writes the search.db rows of a batch of events. Each index's rows are inserted sorted by its
 * key, which keeps B-tree writes local; {@code INSERT OR IGNORE} makes a repeated delivery of the
 * same events (at-least-once feed) harmless, and the full-text row is replaced for the same pk.
 */
final class IndexRows {
  /** What the index keeps of one event; {@code pk} is its feed position. */
  record Row(String tenant, long pk, long seq, long occurredAt, String type, String actorId,
      @Nullable String actorIp, @Nullable String sessionId, SearchDocument doc) {}

  private IndexRows() {}

  /** Inserts each index's rows sorted by its key. */
  static void write(Connection index, List<Row> rows) throws SQLException {
    insertSorted(index, rows, "ix_actor", Row::actorId);
    insertSorted(index, rows, "ix_type", Row::type);
    insertSorted(index, rows, "ix_actor_ip", Row::actorIp);
    insertSorted(index, rows, "ix_session", Row::sessionId);
    List<Object[]> targets = new ArrayList<>();
    List<Object[]> tags = new ArrayList<>();
    for (Row r : rows) {
      for (String[] t : r.doc().targets()) {
        targets.add(new Object[] {r, t[0], t[1]});
      }
      for (String t : r.doc().tags()) {
        tags.add(new Object[] {r, t});
      }
    }
    targets.sort(Comparator.comparing((Object[] t) -> (String) t[1])
        .thenComparing(t -> (String) t[2]));
    try (PreparedStatement ps = index.prepareStatement("INSERT OR IGNORE INTO ix_target"
        + " (tenant, target_type, target_id, occurred_at, seq, pk) VALUES (?,?,?,?,?,?)")) {
      for (Object[] t : targets) {
        Row r = (Row) t[0];
        ps.setString(1, r.tenant());
        ps.setString(2, (String) t[1]);
        ps.setString(3, (String) t[2]);
        bindPosition(ps, 4, r);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    tags.sort(Comparator.comparing((Object[] t) -> (String) t[1]));
    try (PreparedStatement ps = index.prepareStatement("INSERT OR IGNORE INTO ix_tag"
        + " (tenant, tag, occurred_at, seq, pk) VALUES (?,?,?,?,?)")) {
      for (Object[] t : tags) {
        Row r = (Row) t[0];
        ps.setString(1, r.tenant());
        ps.setString(2, (String) t[1]);
        bindPosition(ps, 3, r);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps = index.prepareStatement(
        "INSERT OR REPLACE INTO ix_fts (rowid, text) VALUES (?,?)")) {
      for (Row r : rows) {
        ps.setLong(1, r.pk());
        ps.setString(2, r.doc().text());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void insertSorted(Connection index, List<Row> rows, String table,
      java.util.function.Function<Row, String> key) throws SQLException {
    List<Row> sorted = new ArrayList<>();
    for (Row r : rows) {
      if (key.apply(r) != null) {
        sorted.add(r);
      }
    }
    sorted.sort(Comparator.comparing(key).thenComparing(Row::tenant));
    String column = switch (table) {
      case "ix_actor" -> "actor_id";
      case "ix_type" -> "type";
      case "ix_actor_ip" -> "actor_ip";
      default -> "session_id";
    };
    try (PreparedStatement ps = index.prepareStatement("INSERT OR IGNORE INTO " + table
        + " (tenant, " + column + ", occurred_at, seq, pk) VALUES (?,?,?,?,?)")) {
      for (Row r : sorted) {
        ps.setString(1, r.tenant());
        ps.setString(2, key.apply(r));
        bindPosition(ps, 3, r);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void bindPosition(PreparedStatement ps, int first, Row r) throws SQLException {
    ps.setLong(first, r.occurredAt());
    ps.setLong(first + 1, r.seq());
    ps.setLong(first + 2, r.pk());
  }

}
