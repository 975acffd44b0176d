/** JDBC code that reads and writes the same way on every engine (SQLite and PostgreSQL). */
@NullMarked
package dev.vellum.store.jdbc;

import org.jspecify.annotations.NullMarked;
