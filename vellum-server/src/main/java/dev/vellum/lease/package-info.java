/**
 * Roles held by leases: a role that must run on one node at a time (checkpoint signing) runs only
 * while its node holds the role's lease. One node on SQLite always holds every lease; nodes sharing
 * a PostgreSQL database hold them through session-level advisory locks.
 */
@NullMarked
package dev.vellum.lease;

import org.jspecify.annotations.NullMarked;
