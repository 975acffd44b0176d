package dev.vellum.store.postgres;

/**
 * The advisory locks Vellum takes, in PostgreSQL's two-key form: a fixed first key per purpose and
 * a second derived from the schema, so that deployments (or test runs) in different schemas of one
 * database do not wait for each other.
 */
final class Locks {
  private Locks() {}

  /** Held from assigning feed positions to COMMIT (pg_advisory_xact_lock). */
  static final int FEED = 0x56454c01;

  /** Held while creating a month partition. */
  static final int PARTITIONS = 0x56454c02;

  /*
   * 0x56454c03 is taken by the role leases of vellum-server (dev.vellum.lease.AdvisoryLockLease),
   * session-level, second key derived from schema and role name.
   */

  static int schemaKey(String schema) {
    return schema.hashCode();
  }
}
