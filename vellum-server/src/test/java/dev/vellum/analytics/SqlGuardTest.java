package dev.vellum.analytics;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The guard's verdicts on statements, read from DuckDB's own parse of them. */
class SqlGuardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static Sandbox box;

  @BeforeAll
  static void open() throws Exception {
    box = Sandbox.open(64, 1);
  }

  @AfterAll
  static void close() throws Exception {
    box.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT type, count(*) FROM events GROUP BY type",
        "FROM events",
        "WITH t AS (SELECT * FROM events) SELECT count(*) FROM t",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
        "SELECT * FROM events e JOIN range(3) r ON true",
        "SELECT 1 UNION ALL SELECT 2",
        "SELECT json_extract_string(metadata, '$.x') FROM events",
        "DESCRIBE events",
        "SELECT * FROM EVENTS",
      })
  void acceptsOneReadOnlyQueryOverTheView(String sql) {
    assertDoesNotThrow(() -> SqlGuard.check(box.connection(), JSON, sql));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_parquet('x.parquet')",
        "SELECT * FROM read_json_auto('x')",
        "SELECT * FROM glob('/*')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT * FROM events WHERE seq IN (SELECT 1 FROM read_csv('/etc/passwd'))",
        "SELECT * FROM hot_events",
        "SELECT * FROM main.events",
        "SELECT * FROM pg_settings",
        "SELECT * FROM duckdb_settings()",
        "SELECT current_setting('allowed_directories')",
        "SELECT * FROM (WITH pg_settings AS (SELECT 1) SELECT * FROM pg_settings), pg_settings",
        "WITH a AS (SELECT * FROM pg_settings), pg_settings AS (SELECT 1) SELECT * FROM a",
        "DESCRIBE pg_settings",
        "COPY (SELECT 1) TO '/tmp/x.csv'",
        "ATTACH '/tmp/x.db'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET threads = 8",
        "PRAGMA version",
        "CALL pragma_version()",
        "EXPORT DATABASE '/tmp/x'",
        "CREATE TABLE x (a INT)",
        "DROP VIEW events",
        "SELECT 1; SELECT 2",
        "SELECT 1; DROP VIEW events",
        "",
        "SELEC 1",
      })
  void refusesEverythingElse(String sql) {
    AnalyticsException e =
        assertThrows(AnalyticsException.class, () -> SqlGuard.check(box.connection(), JSON, sql));
    assertEquals(AnalyticsException.Kind.REFUSED, e.kind());
  }
}
