package dev.vellum.store.postgres;

import dev.vellum.store.PartitionRetention;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops month partitions of {@code events} ({@code events_pYYYYMM}) that ended at or before a
 * cutoff, each in a transaction of its own under the partition advisory lock that creating one
 * takes. {@code events_default} is never dropped: it may hold rows of any month.
 */
final class PostgresPartitionRetention implements PartitionRetention {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresPartitionRetention.class);
  private static final Pattern MONTH = Pattern.compile("events_p(\\d{4})(\\d{2})");

  private final PostgresDatabase db;

  PostgresPartitionRetention(PostgresDatabase db) {
    this.db = db;
  }

  @Override
  public List<Partition> droppableBefore(long cutoffMicros) {
    try (Connection c = db.connection()) {
      List<Partition> out = new ArrayList<>();
      for (YearMonth m : months(c)) {
        if (Partitions.startMicros(m.plusMonths(1)) <= cutoffMicros) {
          out.add(partition(c, m));
        }
      }
      return out;
    } catch (SQLException e) {
      throw PostgresErrors.wrap("listing the event partitions", e);
    }
  }

  @Override
  public List<Partition> dropBefore(long cutoffMicros, long nowMicros) {
    if (cutoffMicros > nowMicros) {
      throw new IllegalArgumentException("the retention cutoff is in the future: " + cutoffMicros);
    }
    List<Partition> dropped = new ArrayList<>();
    try (Connection c = db.connection()) {
      for (YearMonth m : months(c)) {
        if (Partitions.startMicros(m.plusMonths(1)) <= cutoffMicros) {
          dropped.add(drop(c, m));
        }
      }
      return dropped;
    } catch (SQLException e) {
      throw PostgresErrors.wrap("dropping event partitions", e);
    }
  }

  /** The months that have a partition, oldest first. */
  private List<YearMonth> months(Connection c) throws SQLException {
    List<YearMonth> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT child.relname FROM pg_inherits i"
                + " JOIN pg_class child ON child.oid = i.inhrelid"
                + " JOIN pg_class parent ON parent.oid = i.inhparent"
                + " JOIN pg_namespace n ON n.oid = parent.relnamespace"
                + " WHERE parent.relname = 'events' AND n.nspname = ? ORDER BY child.relname")) {
      ps.setString(1, db.schema());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Matcher m = MONTH.matcher(rs.getString(1));
          if (m.matches()) {
            out.add(YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
          }
        }
      }
    }
    return out;
  }

  private static Partition partition(Connection c, YearMonth m) throws SQLException {
    String name = Partitions.nameOf(m);
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + name)) {
      rs.next();
      return new Partition(
          name, Partitions.startMicros(m), Partitions.startMicros(m.plusMonths(1)), rs.getLong(1));
    }
  }

  private Partition drop(Connection c, YearMonth m) throws SQLException {
    c.setAutoCommit(false);
    try {
      try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
        lock.setInt(1, Locks.PARTITIONS);
        lock.setInt(2, Locks.schemaKey(db.schema()));
        lock.execute();
      }
      Partition p = partition(c, m);
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE " + p.name());
      }
      c.commit();
      LOG.info("dropped event partition {} ({} events)", p.name(), p.events());
      return p;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }
}
