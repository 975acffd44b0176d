package dev.vellum.store.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fresh schemas in the PostgreSQL server the tests run against ({@code VELLUM_TEST_POSTGRES_URL},
 * by default {@code jdbc:postgresql://127.0.0.1:5432/test} as user {@code postgres}), each named
 * {@code vellum_test_<random>} and dropped by {@link #dropAll}.
 */
final class TestSchemas {
  static final String URL =
      System.getenv()
          .getOrDefault("VELLUM_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  static final String USER = System.getenv().getOrDefault("VELLUM_TEST_POSTGRES_USER", "postgres");
  static final String PASSWORD = System.getenv().getOrDefault("VELLUM_TEST_POSTGRES_PASSWORD", "");

  private final List<String> created = new CopyOnWriteArrayList<>();

  /** A new schema name; the schema itself is created by the store's migrations. */
  String newSchema() {
    String name = "vellum_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    created.add(name.toLowerCase(Locale.ROOT));
    return name;
  }

  static PostgresSettings settings(String schema, int poolSize) {
    return new PostgresSettings(URL, USER, PASSWORD.isEmpty() ? null : PASSWORD, schema, poolSize);
  }

  void dropAll() throws SQLException {
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
        Statement s = c.createStatement()) {
      for (String name : created) {
        s.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
      }
    }
    created.clear();
  }
}
