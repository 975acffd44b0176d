package dev.vellum.postgres;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vellum.config.VellumConfig;
import dev.vellum.log.SigningKey;
import dev.vellum.testing.TestNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vellum migrate --from sqlite --to postgres} on data dirs made by real SQLite nodes, into
 * fresh schemas of the real PostgreSQL server, and PostgreSQL nodes started on the result.
 */
class MigrateToPostgresTest {
  @TempDir Path dir;
  private final List<String> schemas = new ArrayList<>();
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (TestNode n : nodes) {
      n.close();
    }
    try (Connection c =
            DriverManager.getConnection(PgCluster.URL, PgCluster.USER, PgCluster.PASSWORD);
        Statement s = c.createStatement()) {
      for (String schema : schemas) {
        s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }

  private String newSchema() {
    String name = "vellum_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    schemas.add(name);
    return name;
  }

  private TestNode start(Path data, java.util.function.UnaryOperator<VellumConfig> tweak) {
    TestNode n = TestNode.start(data, tweak);
    nodes.add(n);
    return n;
  }

  /** Webhooks to loopback allowed, so that a channel can point at a local address. */
  private static VellumConfig loopbackWebhooks(VellumConfig c) {
    VellumConfig.Notify d = c.notifications();
    return c.withNotify(
        new VellumConfig.Notify(
            d.maxChannelsPerTenant(),
            d.retryFor(),
            d.firstBackoff(),
            d.maxBackoff(),
            d.connectTimeout(),
            d.requestTimeout(),
            d.workers(),
            d.maxPerChannel(),
            d.pollInterval(),
            List.of("127.0.0.1/32"),
            d.smtp()));
  }

  /** A config file as an operator writes it for the PostgreSQL nodes, pointing at the old dir. */
  private Path config(Path data, String url, String schema) throws Exception {
    Path file = dir.resolve("vellum-" + schema + ".yaml");
    Files.writeString(
        file,
        "data_dir: "
            + data
            + "\nstore: postgres\npostgres:\n  url: "
            + url
            + "\n  user: "
            + PgCluster.USER
            + (PgCluster.PASSWORD.isEmpty() ? "" : "\n  password: " + PgCluster.PASSWORD)
            + "\n  schema: "
            + schema
            + "\n");
    return file;
  }

  private PostgresNodeTest.Run migrate(Path config) {
    return PostgresNodeTest.vellum(
        "migrate", "--from", "sqlite", "--to", "postgres", "--config", config.toString());
  }

  private static ArrayNode batch(TestNode node, String tag, int n) {
    ArrayNode batch = node.json.createArrayNode();
    for (int i = 0; i < n; i++) {
      batch.add(node.loginEvent(tag + "-" + i));
    }
    return batch;
  }

  /** Sends {@code n} events in batches; the last batch waits for a signed checkpoint. */
  private static List<JsonNode> ingest(TestNode node, String key, String tag, int n) {
    List<JsonNode> results = new ArrayList<>();
    for (int sent = 0; sent < n; sent += 250) {
      int size = Math.min(250, n - sent);
      String path = sent + size >= n ? "/v1/events?wait_for_checkpoint=true" : "/v1/events";
      TestNode.Reply r = node.post(path, key, batch(node, tag + "-" + sent, size));
      assertEquals(200, r.status(), r.raw().body());
      r.body().get("results").forEach(results::add);
    }
    return results;
  }

  private static String newTenant(TestNode node, String id) {
    TestNode.Reply t =
        node.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"" + id + "\",\"name\":\"" + id + "\"}");
    assertEquals(201, t.status(), t.raw().body());
    String key = t.body().get("api_key").asText();
    assertEquals(200, node.put("/v1/sources/DEMO_APP", key, "{\"name\":\"Demo\"}").status());
    return key;
  }

  private long pgCount(String schema, String sql) throws Exception {
    try (Connection c =
            DriverManager.getConnection(PgCluster.URL, PgCluster.USER, PgCluster.PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + schema);
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Test
  void movesASqliteDataDirIntoPostgresWherePostgresNodesContinueEveryTenantsLog() throws Exception {
    Path data = dir.resolve("data");
    TestNode sqlite = TestNode.start(data, MigrateToPostgresTest::loopbackWebhooks);
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("default", ADMIN_KEY);
    keys.put("acme", newTenant(sqlite, "acme"));
    keys.put("globex", newTenant(sqlite, "globex"));
    TestNode.Reply auditor =
        sqlite.post("/v1/keys", ADMIN_KEY, "{\"name\":\"auditor\",\"scopes\":[\"events:read\"]}");
    assertEquals(201, auditor.status(), auditor.raw().body());
    String auditorKey = auditor.body().get("api_key").asText();
    TestNode.Reply channel =
        sqlite.post(
            "/v1/channels", ADMIN_KEY, "{\"type\":\"webhook\",\"url\":\"http://127.0.0.1:9/h\"}");
    assertEquals(201, channel.status(), channel.raw().body());
    TestNode.Reply rule =
        sqlite.post(
            "/v1/rules",
            ADMIN_KEY,
            "{\"name\":\"Brute force\",\"severity\":\"critical\",\"pattern\":{\"type\":"
                + "[\"LOGIN_FAILED\"]},\"group_by\":[\"actor.id\"],\"threshold\":{\"count\":5,"
                + "\"window_seconds\":600},\"actions\":{\"notify\":[\""
                + channel.body().get("id").asText()
                + "\"]}}");
    assertEquals(201, rule.status(), rule.raw().body());
    Map<String, Integer> counts = Map.of("default", 1500, "acme", 900, "globex", 400);
    Map<String, JsonNode> sample = new LinkedHashMap<>();
    for (Map.Entry<String, String> t : keys.entrySet()) {
      List<JsonNode> r = ingest(sqlite, t.getValue(), t.getKey(), counts.get(t.getKey()));
      sample.put(t.getKey(), r.get(r.size() / 2));
    }
    // an auditor's checkpoint of the SQLite log, to check the PostgreSQL log continues it
    Path state = dir.resolve("auditor-state");
    PostgresNodeTest.Run before = PostgresNodeTest.verifyOnline(sqlite, data, state);
    assertEquals(0, before.exit(), before.output());
    Map<String, Long> nextSeq = new LinkedHashMap<>();
    for (String t : keys.keySet()) {
      nextSeq.put(t, sqlite.node().store().nextSeq(t));
    }
    sqlite.close();

    String schema = newSchema();
    Path config = config(data, PgCluster.URL, schema);
    PostgresNodeTest.Run run = migrate(config);
    assertEquals(0, run.exit(), run.output());
    assertTrue(run.output().contains("VERIFIED"), run.output());
    long acme = nextSeq.get("acme");
    assertTrue(
        run.output().contains("tenant acme: " + acme + " events, last seq " + (acme - 1)),
        run.output());
    for (Map.Entry<String, Long> e : nextSeq.entrySet()) {
      assertEquals(
          e.getValue().longValue(),
          pgCount(schema, "SELECT next_seq FROM tenant_heads WHERE tenant = '" + e.getKey() + "'"),
          "the head of " + e.getKey());
    }

    // a PostgreSQL node on the same data dir signs with its key file and keeps its search index
    TestNode pg = start(data, c -> PgCluster.onPostgres(loopbackWebhooks(c), schema));
    JsonNode s = sample.get("default");
    TestNode.Reply one = pg.get("/v1/events/" + s.get("id").asText(), auditorKey);
    assertEquals(200, one.status(), "the migrated API key works: " + one.raw().body());
    assertEquals(s.get("seq").asLong(), one.body().get("seq").asLong());
    JsonNode a = sample.get("acme");
    TestNode.Reply acmeOne = pg.get("/v1/events/" + a.get("id").asText(), keys.get("acme"));
    assertEquals(200, acmeOne.status(), acmeOne.raw().body());
    String actor = acmeOne.body().get("actor").get("id").asText();
    TestNode.Reply found =
        pg.getPatiently(
            "/v1/events?actor_id=" + URLEncoder.encode(actor, StandardCharsets.UTF_8),
            keys.get("acme"));
    assertEquals(200, found.status(), found.raw().body());
    assertEquals(1, found.body().get("events").size(), found.raw().body());
    assertEquals(
        1, pg.get("/v1/rules", ADMIN_KEY).body().get("rules").size(), "the rule was migrated");
    assertEquals(1, pg.get("/v1/channels", ADMIN_KEY).body().get("channels").size());

    // new events continue each tenant's seq without a gap, under new signed checkpoints
    for (Map.Entry<String, String> t : keys.entrySet()) {
      List<JsonNode> more = ingest(pg, t.getValue(), t.getKey() + "-after", 3);
      // reads since the start are audited as events of their own, so ≥ rather than =
      assertTrue(more.get(0).get("seq").asLong() >= nextSeq.get(t.getKey()), t.getKey());
      String tenant = "tenant = '" + t.getKey() + "'";
      assertEquals(
          pgCount(schema, "SELECT max(seq) + 1 FROM events WHERE " + tenant),
          pgCount(schema, "SELECT count(DISTINCT seq) FROM events WHERE " + tenant),
          "seqs 0..max without a gap in " + t.getKey());
    }
    // the auditor's SQLite-era checkpoint is consistent with the PostgreSQL log's newest one
    PostgresNodeTest.Run after = PostgresNodeTest.verifyOnline(pg, data, state);
    assertEquals(0, after.exit(), after.output());

    // a second node with its own data dir, given the migrated key file, serves the same log
    Path second = dir.resolve("second");
    TestNode other =
        start(
            second,
            c ->
                PgCluster.onPostgres(c, schema)
                    .withLogKey(new VellumConfig.LogKey(data.resolve(SigningKey.FILE_NAME), null)));
    assertEquals(
        pg.get("/v1/log/checkpoint", ADMIN_KEY).raw().body(),
        other.get("/v1/log/checkpoint", ADMIN_KEY).raw().body());
    TestNode.Reply viaOther =
        other.getPatiently(
            "/v1/events?actor_id=" + URLEncoder.encode(actor, StandardCharsets.UTF_8),
            keys.get("acme"));
    assertEquals(1, viaOther.body().get("events").size(), viaOther.raw().body());
    PostgresNodeTest.Run viaSecond = PostgresNodeTest.verifyOnline(other, data, state);
    assertEquals(0, viaSecond.exit(), viaSecond.output());
  }

  /** A SQLite data dir with a few events and a signed checkpoint, its node stopped. */
  private Path smallDataDir(String name) {
    Path data = dir.resolve(name);
    TestNode n = TestNode.start(data);
    ingest(n, ADMIN_KEY, name, 20);
    n.close();
    return data;
  }

  @Test
  void refusesATargetSchemaThatAlreadyHoldsData() throws Exception {
    Path data = smallDataDir("once");
    String schema = newSchema();
    Path config = config(data, PgCluster.URL, schema);
    assertEquals(0, migrate(config).exit());
    long events = pgCount(schema, "SELECT count(*) FROM events");
    assertEquals(20, events);
    PostgresNodeTest.Run again = migrate(config);
    assertEquals(7, again.exit(), again.output());
    assertTrue(again.output().contains("the target schema is not empty"), again.output());
    assertEquals(events, pgCount(schema, "SELECT count(*) FROM events"), "nothing copied twice");
  }

  @Test
  void refusesADataDirWhileANodeRunsOnIt() throws Exception {
    Path data = dir.resolve("busy");
    TestNode running = start(data, c -> c);
    ingest(running, ADMIN_KEY, "busy", 5);
    String schema = newSchema();
    PostgresNodeTest.Run run = migrate(config(data, PgCluster.URL, schema));
    assertEquals(3, run.exit(), run.output());
    assertTrue(run.output().contains("in use by another Vellum server"), run.output());
  }

  @Test
  void refusesAnUnreachableDatabaseInOneLine() throws Exception {
    Path data = smallDataDir("offline");
    PostgresNodeTest.Run run =
        migrate(config(data, "jdbc:postgresql://127.0.0.1:1/test", newSchema()));
    assertEquals(5, run.exit(), run.output());
    assertTrue(run.output().contains("cannot reach PostgreSQL at"), run.output());
  }

  @Test
  void commitsNothingWhenTheCopyDoesNotVerify() throws Exception {
    Path data = smallDataDir("tampered");
    // an event body changed without its leaf hash: the copy's check must catch it
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("vellum.db"));
        Statement st = c.createStatement()) {
      assertEquals(
          1,
          st.executeUpdate(
              "UPDATE events SET body = replace(body, 'tampered-0', 'tampered-X')"
                  + " WHERE tenant = 'default' AND seq = 1"));
    }
    String schema = newSchema();
    PostgresNodeTest.Run run = migrate(config(data, PgCluster.URL, schema));
    assertEquals(1, run.exit(), run.output());
    assertTrue(run.output().contains("leaf_hash"), run.output());
    assertEquals(0, pgCount(schema, "SELECT count(*) FROM events"), "rolled back");
    assertEquals(0, pgCount(schema, "SELECT count(*) FROM tenants"));
  }
}
