package dev.vellum.lease;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease held through a PostgreSQL session-level advisory lock ({@code pg_try_advisory_lock}) on a
 * connection of its own. A daemon thread tries to take the lock every interval while this node does
 * not hold it, and while it does, checks that the connection is still valid: the server releases
 * the lock when the session ends (the node stops or dies, or the connection breaks), and this node
 * counts the lease as lost as soon as its connection is found broken, so two nodes never both
 * believe they hold it for longer than one interval.
 *
 * <p>The lock's keys are {@value #LOCK_KEY} (Vellum's role leases) and a hash of the schema and the
 * role name, so deployments in different schemas of one database do not share leases.
 */
public final class AdvisoryLockLease implements Lease {
  private static final Logger LOG = LoggerFactory.getLogger(AdvisoryLockLease.class);

  /** The first key of every role lease; see {@code dev.vellum.store.postgres.Locks}. */
  static final int LOCK_KEY = 0x56454c03;

  /** Opens a new connection outside any pool; its session holds the lock. */
  @FunctionalInterface
  public interface Sessions {
    Connection open() throws SQLException;
  }

  private final String role;
  private final int roleKey;
  private final Sessions sessions;
  private final Clock clock;
  private final Duration interval;
  private final Thread thread;
  private final Object lock = new Object();
  private @Nullable Connection connection;
  private volatile @Nullable Instant heldSince;
  private volatile boolean running = true;

  private AdvisoryLockLease(
      String schema, String role, Sessions sessions, Clock clock, Duration interval) {
    this.role = role;
    this.roleKey = (schema + '/' + role).hashCode();
    this.sessions = sessions;
    this.clock = clock;
    this.interval = interval;
    this.thread = new Thread(this::run, "vellum-lease-" + role);
    this.thread.setDaemon(true);
  }

  /**
   * Tries once at once (so a single node holds the lease when this returns), then every interval.
   */
  public static AdvisoryLockLease start(
      String schema, String role, Sessions sessions, Clock clock, Duration interval) {
    AdvisoryLockLease lease = new AdvisoryLockLease(schema, role, sessions, clock, interval);
    lease.tick();
    lease.thread.start();
    return lease;
  }

  private void run() {
    while (running) {
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      tick();
    }
  }

  /** One round: check the held lease, or try to take it. */
  void tick() {
    synchronized (lock) {
      if (!running) {
        return;
      }
      if (heldSince != null) {
        if (!valid()) {
          LOG.warn("lost the {} lease: its database connection is gone", role);
          heldSince = null;
          dropConnection();
        }
        return;
      }
      try {
        Connection c = connection;
        if (c == null || !valid()) {
          dropConnection();
          c = sessions.open();
          connection = c;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
          ps.setInt(1, LOCK_KEY);
          ps.setInt(2, roleKey);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next() && rs.getBoolean(1)) {
              heldSince = clock.instant();
              LOG.info("this node now holds the {} lease", role);
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        LOG.debug("cannot try the {} lease now: {}", role, e.getMessage());
        dropConnection();
      }
    }
  }

  private boolean valid() {
    Connection c = connection;
    try {
      return c != null && c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private void dropConnection() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.debug("closing the {} lease connection: {}", role, e.getMessage());
      }
    }
  }

  @Override
  public String role() {
    return role;
  }

  @Override
  public boolean held() {
    return heldSince != null;
  }

  @Override
  public Optional<Instant> heldSince() {
    return Optional.ofNullable(heldSince);
  }

  /** Ends the session, which releases the lock at once; another node takes it within a round. */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    synchronized (lock) {
      Connection c = connection;
      if (heldSince != null && c != null) {
        LOG.info("giving up the {} lease", role);
        // unlocked before the session ends, so the next node's round already finds it free
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
          ps.setInt(1, LOCK_KEY);
          ps.setInt(2, roleKey);
          ps.execute();
        } catch (SQLException e) {
          LOG.debug("unlocking the {} lease: {}", role, e.getMessage());
        }
      }
      heldSince = null;
      dropConnection();
    }
  }
}
