package dev.vellum.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Advisory-lock leases on the real PostgreSQL server (127.0.0.1:5432, or {@code
 * VELLUM_TEST_POSTGRES_URL}). The background rounds are an hour apart, so each test drives the
 * rounds itself with {@code tick()} and never waits on time.
 */
class LeaseTest {
  static final String URL =
      System.getenv()
          .getOrDefault("VELLUM_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  static final String USER = System.getenv().getOrDefault("VELLUM_TEST_POSTGRES_USER", "postgres");
  static final String PASSWORD = System.getenv().getOrDefault("VELLUM_TEST_POSTGRES_PASSWORD", "");

  private final String schema =
      "vellum_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  private final List<Lease> leases = new ArrayList<>();

  /** The connections each lease opened, newest last, so a test can end a session. */
  private final List<Connection> sessions = new ArrayList<>();

  @AfterEach
  void closeAll() {
    leases.forEach(Lease::close);
  }

  private AdvisoryLockLease lease(String inSchema, String role) {
    AdvisoryLockLease lease =
        AdvisoryLockLease.start(
            inSchema,
            role,
            () -> {
              Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
              sessions.add(c);
              return c;
            },
            Clock.systemUTC(),
            Duration.ofHours(1));
    leases.add(lease);
    return lease;
  }

  @Test
  void oneHolderAtATimeAndTheLeaseMovesWhenTheHolderCloses() {
    AdvisoryLockLease a = lease(schema, Lease.CHECKPOINT_SIGNER);
    AdvisoryLockLease b = lease(schema, Lease.CHECKPOINT_SIGNER);
    assertTrue(a.held());
    assertTrue(a.heldSince().isPresent());
    assertFalse(b.held());
    assertTrue(b.heldSince().isEmpty());
    a.tick();
    b.tick();
    assertTrue(a.held(), "the holder keeps it while its session lives");
    assertFalse(b.held());

    a.close();
    assertFalse(a.held());
    b.tick();
    assertTrue(b.held(), "the lease moves at the next round after the holder closed");
  }

  @Test
  void aHolderWhoseSessionEndsLosesTheLeaseAndAnotherTakesIt() throws SQLException {
    AdvisoryLockLease a = lease(schema, Lease.CHECKPOINT_SIGNER);
    Connection held = sessions.get(sessions.size() - 1);
    AdvisoryLockLease b = lease(schema, Lease.CHECKPOINT_SIGNER);
    assertTrue(a.held());
    int pid;
    try (Statement s = held.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      pid = rs.getInt(1);
    }
    try (Connection admin = DriverManager.getConnection(URL, USER, PASSWORD);
        Statement s = admin.createStatement()) {
      s.execute("SELECT pg_terminate_backend(" + pid + ")");
    }
    a.tick();
    assertFalse(a.held(), "a broken session means the lease is lost");
    b.tick();
    assertTrue(b.held());
    a.tick();
    assertFalse(a.held(), "and it cannot be taken back while b holds it");
  }

  @Test
  void leasesOfOtherRolesAndOtherSchemasAreIndependent() {
    assertTrue(lease(schema, Lease.CHECKPOINT_SIGNER).held());
    assertTrue(lease(schema, "archive").held());
    assertTrue(lease(schema + "_other", Lease.CHECKPOINT_SIGNER).held());
  }

  @Test
  void theMetricSaysWhetherThisNodeHoldsTheLease() {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    AdvisoryLockLease a = lease(schema, Lease.CHECKPOINT_SIGNER);
    AdvisoryLockLease b = lease(schema, Lease.CHECKPOINT_SIGNER);
    Lease.registerMetric(b, metrics);
    assertEquals(
        0.0, metrics.get("vellum.lease.held").tag("role", Lease.CHECKPOINT_SIGNER).gauge().value());
    a.close();
    b.tick();
    assertEquals(
        1.0, metrics.get("vellum.lease.held").tag("role", Lease.CHECKPOINT_SIGNER).gauge().value());
  }

  @Test
  void aSingleNodeAlwaysHoldsItsLeases() {
    Lease always = Lease.always(Lease.CHECKPOINT_SIGNER, Clock.systemUTC());
    assertTrue(always.held());
    assertTrue(always.heldSince().isPresent());
  }
}
