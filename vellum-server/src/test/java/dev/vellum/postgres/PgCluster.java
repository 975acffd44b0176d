package dev.vellum.postgres;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vellum.app.VellumNode;
import dev.vellum.config.VellumConfig;
import dev.vellum.log.SigningKey;
import dev.vellum.testing.TestNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Nodes of one test on the real PostgreSQL server, in a fresh schema dropped at the end, each with
 * its own data dir and the first node's signing key.
 */
final class PgCluster implements AutoCloseable {
  static final String URL = PostgresNodeTest.URL;
  static final String USER = PostgresNodeTest.USER;
  static final String PASSWORD = PostgresNodeTest.PASSWORD;

  final String schema =
      "vellum_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  private final Path dir;
  final List<TestNode> nodes = new ArrayList<>();

  PgCluster(Path dir) {
    this.dir = dir;
  }

  static VellumConfig onPostgres(VellumConfig c, String schema) {
    return c.withStorage(
        new VellumConfig.Storage(
            "postgres",
            new VellumConfig.Postgres(
                URL, USER, PASSWORD.isEmpty() ? null : PASSWORD, null, schema, 4)));
  }

  Path dataDir(String name) {
    return dir.resolve(name);
  }

  /** Starts a node on data dir {@code name}; later nodes get the first node's signing key. */
  TestNode start(String name, VellumNode.Extensions extensions) {
    return start(name, UnaryOperator.identity(), extensions);
  }

  TestNode start(String name, UnaryOperator<VellumConfig> tweak, VellumNode.Extensions ext) {
    Path data = dataDir(name);
    try {
      Files.createDirectories(data);
      Path first = dir.resolve("a").resolve(SigningKey.FILE_NAME);
      Path key = data.resolve(SigningKey.FILE_NAME);
      if (!name.equals("a") && Files.exists(first) && !Files.exists(key)) {
        Files.copy(first, key);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TestNode n = TestNode.start(data, c -> tweak.apply(onPostgres(c, schema)), ext);
    nodes.add(n);
    return n;
  }

  static JsonNode ingest(TestNode node, String tag, int n) {
    ArrayNode batch = node.json.createArrayNode();
    for (int i = 0; i < n; i++) {
      batch.add(node.loginEvent(tag + "-" + i));
    }
    TestNode.Reply r = node.post("/v1/events", ADMIN_KEY, batch);
    assertEquals(200, r.status(), r.raw().body());
    return r.body().get("results");
  }

  /** {@code vellum_lease_held{role="…"}} of the node's metrics. */
  static int leaseHeld(TestNode node, String role) {
    Matcher m =
        Pattern.compile(
                "(?m)^vellum_lease_held\\{role=\"" + Pattern.quote(role) + "\",?\\} ([0-9.]+)$")
            .matcher(node.get("/metrics", null).raw().body());
    assertTrue(m.find(), "the lease metric of " + role + " is exported");
    return (int) Double.parseDouble(m.group(1));
  }

  /** Ends the database session holding the role's lease, as if its node lost the database. */
  long terminateLeaseSession(String role) throws SQLException {
    long roleKey = Integer.toUnsignedLong((schema + "/" + role).hashCode());
    return queryLong(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory'"
            + " AND granted AND classid = "
            + 0x56454c03
            + " AND objid = "
            + roleKey
            + " AND objsubid = 2");
  }

  /** The first column of the first row, run in the test schema. */
  long queryLong(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + schema);
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Override
  public void close() throws SQLException {
    for (TestNode n : nodes) {
      try {
        n.close();
      } catch (RuntimeException e) {
        // already closed by the test
      }
    }
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
