package dev.vellum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The rows the raw storage baselines write: the durable commit path's event row, with the columns
 * Vellum's {@code events} table has, made from the load generator's events. No HTTP, parsing,
 * validation, canonicalisation or hashing: the leaf-hash column gets random bytes. Row contents are
 * prepared before the clock starts; inside the timed loop each row only gets a fresh UUIDv7 id and
 * the current time patched into a copy of its body.
 */
final class BaselineRows {
  /** Rows written, seconds taken, rows counted afterwards, and bytes the rows take on disk. */
  record Result(long rows, double seconds, long rowsStored, long storedBytes) {
    double rowsPerSecond() {
      return seconds == 0 ? 0 : rows / seconds;
    }
  }

  private record Row(
      String type,
      String category,
      String source,
      String outcome,
      String severity,
      String actorId,
      @Nullable String actorIp,
      @Nullable String sessionId,
      char[] body,
      int idAt,
      int timeAt) {}

  static final String TENANT = "default";
  private static final String INSERT_EVENT =
      "INSERT INTO events (tenant, seq, id, occurred_at,"
          + " received_at, type, category, source, outcome, severity, actor_id, actor_ip, session_id,"
          + " leaf_hash, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

  private final List<Row> templates = new ArrayList<>();

  BaselineRows(List<ObjectNode> events) {
    for (ObjectNode e : events) {
      templates.add(row(e));
    }
  }

  /** Inserts {@code rows} rows, one commit per {@code batch}; returns the seconds it took. */
  double insert(Connection c, long rows, int batch) throws SQLException {
    long start = System.nanoTime();
    byte[] leaf = new byte[32];
    try (PreparedStatement ev = c.prepareStatement(INSERT_EVENT)) {
      long seq = 0;
      while (seq < rows) {
        long end = Math.min(rows, seq + batch);
        Instant now = Instant.now();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        char[] time =
            new String(RequestPool.formatTime(now), StandardCharsets.US_ASCII).toCharArray();
        for (; seq < end; seq++) {
          Row r = templates.get((int) (seq % templates.size()));
          String id = RequestPool.uuid7(now.toEpochMilli()).toString();
          char[] body = r.body().clone();
          id.getChars(0, id.length(), body, r.idAt());
          System.arraycopy(time, 0, body, r.timeAt(), time.length);
          ThreadLocalRandom.current().nextBytes(leaf);
          bind(ev, r, seq, id, micros, leaf, new String(body));
          ev.addBatch();
        }
        ev.executeBatch();
        c.commit();
      }
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /**
   * Like {@link #insert}, through PostgreSQL's {@code COPY … FROM STDIN} (CSV), one {@code COPY}
   * and one commit per {@code batch}: the fastest way PostgreSQL takes rows, the engine's
   * yardstick.
   */
  double copy(Connection c, long rows, int batch) throws SQLException {
    long start = System.nanoTime();
    byte[] leaf = new byte[32];
    org.postgresql.copy.CopyManager copier =
        c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
    StringBuilder csv = new StringBuilder();
    long seq = 0;
    while (seq < rows) {
      long end = Math.min(rows, seq + batch);
      Instant now = Instant.now();
      long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
      char[] time =
          new String(RequestPool.formatTime(now), StandardCharsets.US_ASCII).toCharArray();
      csv.setLength(0);
      for (; seq < end; seq++) {
        Row r = templates.get((int) (seq % templates.size()));
        String id = RequestPool.uuid7(now.toEpochMilli()).toString();
        char[] body = r.body().clone();
        id.getChars(0, id.length(), body, r.idAt());
        System.arraycopy(time, 0, body, r.timeAt(), time.length);
        ThreadLocalRandom.current().nextBytes(leaf);
        csvRow(csv, r, seq, id, micros, leaf, new String(body));
      }
      try {
        copier.copyIn(
            "COPY events (tenant, seq, id, occurred_at, received_at, type, category, source,"
                + " outcome, severity, actor_id, actor_ip, session_id, leaf_hash, body)"
                + " FROM STDIN (FORMAT csv)",
            new java.io.StringReader(csv.toString()));
      } catch (java.io.IOException e) {
        throw new SQLException("COPY of the baseline rows failed: " + e.getMessage(), e);
      }
      c.commit();
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static void csvRow(
      StringBuilder out, Row r, long seq, String id, long micros, byte[] leaf, String body) {
    out.append(TENANT).append(',').append(seq).append(',').append(id).append(',');
    out.append(micros).append(',').append(micros).append(',');
    for (String v : new String[] {r.type(), r.category(), r.source(), r.outcome(), r.severity()}) {
      quoted(out, v).append(',');
    }
    quoted(out, r.actorId()).append(',');
    if (r.actorIp() != null) {
      quoted(out, r.actorIp());
    }
    out.append(',');
    if (r.sessionId() != null) {
      quoted(out, r.sessionId());
    }
    out.append(",\"\\x").append(java.util.HexFormat.of().formatHex(leaf)).append("\",");
    quoted(out, body).append('\n');
  }

  private static StringBuilder quoted(StringBuilder out, String v) {
    return out.append('"').append(v.replace("\"", "\"\"")).append('"');
  }

  private static void bind(
      PreparedStatement ev, Row r, long seq, String id, long micros, byte[] leaf, String body)
      throws SQLException {
    ev.setString(1, TENANT);
    ev.setLong(2, seq);
    ev.setString(3, id);
    ev.setLong(4, micros);
    ev.setLong(5, micros);
    ev.setString(6, r.type());
    ev.setString(7, r.category());
    ev.setString(8, r.source());
    ev.setString(9, r.outcome());
    ev.setString(10, r.severity());
    ev.setString(11, r.actorId());
    ev.setString(12, r.actorIp());
    ev.setString(13, r.sessionId());
    ev.setBytes(14, leaf);
    ev.setString(15, body);
  }

  static long countEvents(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Row row(ObjectNode event) {
    ObjectNode stored = event.deepCopy();
    stored.put("tenant", TENANT);
    stored.put("received_at", RequestPool.TIME_MARK);
    stored.put("seq", 1_000_000L);
    stored.put("leaf_version", 1);
    char[] body = stored.toString().toCharArray();
    String text = new String(body);
    int idAt = text.indexOf(RequestPool.ID_MARK);
    int timeAt = text.indexOf(RequestPool.TIME_MARK);
    JsonNode actor = event.path("actor");
    return new Row(
        event.path("type").asText(),
        event.path("category").asText(),
        event.path("source").asText(),
        event.path("outcome").asText("unknown"),
        event.path("severity").asText("info"),
        actor.path("id").asText(),
        textOrNull(actor, "ip"),
        textOrNull(event, "session_id"),
        body,
        idAt,
        timeAt);
  }

  private static @Nullable String textOrNull(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }
}
