package dev.vellum.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The month partitions of {@code events} (by {@code received_at}, UTC months). Partitions are
 * created ahead of time, each in a short transaction of its own, never inside a commit: {@code
 * CREATE TABLE ... PARTITION OF} locks the parent table, and a commit transaction already holds
 * locks that the DDL would wait for. A row of a month without a partition still commits, into
 * {@code events_default}.
 */
final class Partitions {
  private static final Logger LOG = LoggerFactory.getLogger(Partitions.class);

  /** Months created ahead of the current one. */
  static final int MONTHS_AHEAD = 2;

  private final PostgresDatabase db;

  /** Months known to have a partition, or known to be impossible to give one (see ensure). */
  private final Set<YearMonth> known = ConcurrentHashMap.newKeySet();

  Partitions(PostgresDatabase db) {
    this.db = db;
  }

  static YearMonth monthOf(long micros) {
    return YearMonth.from(
        Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L)).atOffset(ZoneOffset.UTC));
  }

  static String nameOf(YearMonth month) {
    return String.format("events_p%04d%02d", month.getYear(), month.getMonthValue());
  }

  static long startMicros(YearMonth month) {
    return month.atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
  }

  /** Makes sure the month of {@code nowMicros} and the next {@link #MONTHS_AHEAD} exist. */
  void ensureAhead(long nowMicros) throws SQLException {
    YearMonth now = monthOf(nowMicros);
    for (int i = 0; i <= MONTHS_AHEAD; i++) {
      ensure(now.plusMonths(i));
    }
  }

  /**
   * Creates the month's partition unless it exists. Nodes creating the same month at once take
   * turns under an advisory lock. If {@code events_default} already holds rows of that month
   * (PostgreSQL then refuses the partition), the month stays in the default partition.
   */
  void ensure(YearMonth month) throws SQLException {
    if (known.contains(month)) {
      return;
    }
    String name = nameOf(month);
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
          lock.setInt(1, Locks.PARTITIONS);
          lock.setInt(2, Locks.schemaKey(db.schema()));
          lock.execute();
        }
        boolean exists;
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
          ps.setString(1, name);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            exists = rs.getBoolean(1);
          }
        }
        if (!exists) {
          try (Statement s = c.createStatement()) {
            s.execute(
                "CREATE TABLE "
                    + name
                    + " PARTITION OF events FOR VALUES FROM ("
                    + startMicros(month)
                    + ") TO ("
                    + startMicros(month.plusMonths(1))
                    + ")");
          }
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        if (!"23514".equals(e.getSQLState())) {
          throw e;
        }
        LOG.warn(
            "events of {} stay in events_default: it already holds rows of that month ({})",
            month,
            e.getMessage());
      } finally {
        c.setAutoCommit(true);
      }
    }
    known.add(month);
  }
}
