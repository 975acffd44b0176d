package dev.vellum.lease;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * The right of this node to run one role (for example {@link #CHECKPOINT_SIGNER}) while no other
 * node runs it. The role's code asks {@link #held()} before each unit of work and does nothing
 * while it is false; a node that loses its lease stops the role at once.
 */
public interface Lease extends AutoCloseable {
  /** The role that signs each tenant's checkpoints. */
  String CHECKPOINT_SIGNER = "checkpoint-signer";

  String role();

  /** Whether this node holds the lease now. */
  boolean held();

  /** Since when this node holds the lease; empty while it does not. */
  Optional<Instant> heldSince();

  /** Gives the lease up (if held) and stops trying to take it. */
  @Override
  void close();

  /** A lease that is always held: one node alone (SQLite) runs every role. */
  static Lease always(String role, Clock clock) {
    Instant since = clock.instant();
    return new Lease() {
      @Override
      public String role() {
        return role;
      }

      @Override
      public boolean held() {
        return true;
      }

      @Override
      public Optional<Instant> heldSince() {
        return Optional.of(since);
      }

      @Override
      public void close() {}
    };
  }

  /** Registers {@code vellum_lease_held{role="…"}}: 1 while this node holds the lease, else 0. */
  static void registerMetric(Lease lease, MeterRegistry metrics) {
    Gauge.builder("vellum.lease.held", lease, l -> l.held() ? 1 : 0)
        .description("1 while this node holds the lease of the role, else 0")
        .tag("role", lease.role())
        .register(metrics);
  }
}
