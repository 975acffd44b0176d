package dev.vellum.store.postgres;

import org.jspecify.annotations.Nullable;

/**
 * Where the database is and how to log in: a JDBC URL ({@code jdbc:postgresql://host:5432/db}), the
 * user and password (null: whatever the URL or the server's trust rules give), the schema to keep
 * Vellum's tables in (null: the connection's default, normally {@code public}; created if missing),
 * and the size of this node's connection pool.
 */
public record PostgresSettings(
    String url,
    @Nullable String user,
    @Nullable String password,
    @Nullable String schema,
    int poolSize) {

  public PostgresSettings {
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + url);
    }
    if (poolSize < 2) {
      throw new IllegalArgumentException("the pool needs at least 2 connections, got " + poolSize);
    }
    if (schema != null && !schema.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          "schema must be a plain identifier (letters, digits, '_'), got " + schema);
    }
  }

  /** The URL without anything after '?', so that no password in it is ever logged. */
  public String safeUrl() {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }
}
