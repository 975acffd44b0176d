/**
 * Moving a data dir from one engine to another: {@code vellum migrate --from sqlite --to postgres}
 * copies every table of the SQLite database into an empty PostgreSQL schema in one transaction,
 * derives the PostgreSQL-only heads, and commits only once the copy verifies.
 */
@NullMarked
package dev.vellum.migrate;

import org.jspecify.annotations.NullMarked;
