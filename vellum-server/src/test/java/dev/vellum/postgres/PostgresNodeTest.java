package dev.vellum.postgres;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vellum.cli.VellumCli;
import dev.vellum.config.VellumConfig;
import dev.vellum.core.merkle.ProofVerifier;
import dev.vellum.core.note.Checkpoint;
import dev.vellum.core.note.NoteVerifier;
import dev.vellum.log.SigningKey;
import dev.vellum.testing.TestNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Vellum nodes with {@code store: postgres} on the real PostgreSQL server (127.0.0.1:5432, or
 * {@code VELLUM_TEST_POSTGRES_URL}), each test in a fresh schema that is dropped at the end.
 */
class PostgresNodeTest {
  static final String URL =
      System.getenv()
          .getOrDefault("VELLUM_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  static final String USER = System.getenv().getOrDefault("VELLUM_TEST_POSTGRES_USER", "postgres");
  static final String PASSWORD = System.getenv().getOrDefault("VELLUM_TEST_POSTGRES_PASSWORD", "");

  @TempDir Path dir;
  private final List<String> schemas = new ArrayList<>();
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (TestNode n : nodes) {
      n.close();
    }
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
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

  private static VellumConfig onPostgres(VellumConfig c, String schema) {
    return c.withStorage(
        new VellumConfig.Storage(
            "postgres",
            new VellumConfig.Postgres(
                URL, USER, PASSWORD.isEmpty() ? null : PASSWORD, null, schema, 4)));
  }

  private TestNode start(Path dataDir, String schema) {
    TestNode n = TestNode.start(dataDir, c -> onPostgres(c, schema));
    nodes.add(n);
    return n;
  }

  private static JsonNode ingest(TestNode node, String tag, int n) {
    ArrayNode batch = node.json.createArrayNode();
    for (int i = 0; i < n; i++) {
      batch.add(node.loginEvent(tag + "-" + i));
    }
    TestNode.Reply r = node.post("/v1/events", ADMIN_KEY, batch);
    assertEquals(200, r.status(), r.raw().body());
    return r.body().get("results");
  }

  @Test
  void aNodeOnPostgresIngestsSearchesProvesAndPassesOnlineVerification() throws Exception {
    String schema = newSchema();
    TestNode node = start(dir.resolve("data"), schema);
    JsonNode results = ingest(node, "pg", 40);
    for (JsonNode r : results) {
      assertEquals("accepted", r.get("status").asText());
    }

    TestNode.Reply found = node.get("/v1/events?actor_id=pg-7", ADMIN_KEY);
    assertEquals(200, found.status(), found.raw().body());
    assertEquals(1, found.body().get("events").size(), found.raw().body());
    assertEquals(
        results.get(7).get("id").asText(), found.body().get("events").get(0).get("id").asText());
    TestNode.Reply text = node.get("/v1/events?q=pg&source=DEMO_APP&limit=100", ADMIN_KEY);
    assertEquals(40, text.body().get("events").size(), text.raw().body());

    NoteVerifier verifier =
        NoteVerifier.parse(node.get("/v1/log/key", ADMIN_KEY).raw().body().trim());
    JsonNode waited =
        node.post(
                "/v1/events?wait_for_checkpoint=true",
                ADMIN_KEY,
                node.json.createArrayNode().add(node.loginEvent("pg-last")))
            .body();
    Checkpoint cp = verifier.verifyCheckpoint(waited.get("checkpoint").asText());
    JsonNode seventh = results.get(7);
    TestNode.Reply proof =
        node.get(
            "/v1/events/" + seventh.get("id").asText() + "/proof?tree_size=" + cp.size(),
            ADMIN_KEY);
    assertEquals(200, proof.status(), proof.raw().body());
    byte[] leaf = Base64.getDecoder().decode(proof.body().get("leaf_hash").asText());
    assertArrayEquals(Base64.getDecoder().decode(seventh.get("leaf_hash").asText()), leaf);
    List<byte[]> path = new ArrayList<>();
    proof.body().get("audit_path").forEach(h -> path.add(Base64.getDecoder().decode(h.asText())));
    ProofVerifier.verifyInclusion(
        proof.body().get("leaf_index").asLong(), cp.size(), leaf, path, cp.rootHash());

    Run verify = verifyOnline(node, dir.resolve("data"), dir.resolve("state"));
    assertEquals(0, verify.exit(), verify.output());

    TestNode.Reply bad = node.post("/v1/events", ADMIN_KEY, "{\"type\": 5,,}");
    assertEquals(400, bad.status(), bad.raw().body());
    assertEquals("application/problem+json", bad.contentType());
    ArrayNode mixed = node.json.createArrayNode();
    mixed.addObject().put("type", 5);
    mixed.add(node.loginEvent("pg-valid"));
    TestNode.Reply invalid = node.post("/v1/events", ADMIN_KEY, mixed);
    assertEquals(207, invalid.status(), invalid.raw().body());
    assertEquals("rejected", invalid.body().get("results").get(0).get("status").asText());
    assertEquals("accepted", invalid.body().get("results").get(1).get("status").asText());
  }

  /**
   * PostgreSQL text cannot hold NUL; a client may still send one inside an actor or session id, a
   * source code or an event id in a URL. Each is answered as on SQLite, and its neighbours in the
   * same commit are stored.
   */
  @Test
  void nulCharactersFromClientsAreStoredInTheBodyAndNeverFailACommit() {
    String schema = newSchema();
    TestNode node = start(dir.resolve("data"), schema);
    ArrayNode batch = node.json.createArrayNode();
    com.fasterxml.jackson.databind.node.ObjectNode nul = node.loginEvent("nul\u0000actor");
    nul.put("session_id", "s\u00001");
    batch.add(nul);
    com.fasterxml.jackson.databind.node.ObjectNode badSource = node.loginEvent("neighbour-1");
    badSource.put("source", "DEMO\u0000APP");
    batch.add(badSource);
    batch.add(node.loginEvent("neighbour-2"));
    TestNode.Reply r = node.post("/v1/events", ADMIN_KEY, batch);
    assertEquals(207, r.status(), r.raw().body());
    JsonNode results = r.body().get("results");
    assertEquals("accepted", results.get(0).get("status").asText(), results.toString());
    assertEquals("rejected", results.get(1).get("status").asText(), results.toString());
    assertEquals("accepted", results.get(2).get("status").asText(), results.toString());
    TestNode.Reply found = node.get("/v1/events?actor_id=nul%00actor", ADMIN_KEY);
    assertEquals(200, found.status(), found.raw().body());
    assertEquals(1, found.body().get("events").size(), found.raw().body());
    assertEquals(
        "nul\u0000actor", found.body().get("events").get(0).get("actor").get("id").asText());
    int proof = node.get("/v1/events/abc%00def/proof", ADMIN_KEY).status();
    assertTrue(proof == 400 || proof == 404, "a NUL in an event id is bad input: " + proof);
  }

  @Test
  void aRestartedNodeContinuesTheLogStoredInPostgres() {
    String schema = newSchema();
    TestNode node = start(dir.resolve("data"), schema);
    long before = ingest(node, "first", 5).get(4).get("seq").asLong();
    node.restart();
    long after = ingest(node, "second", 1).get(0).get("seq").asLong();
    assertTrue(after > before, before + " then " + after);
    TestNode.Reply found = node.get("/v1/events?actor_id=first-2", ADMIN_KEY);
    assertEquals(1, found.body().get("events").size(), found.raw().body());
  }

  /**
   * Two nodes, each with its own data dir (own search index) but the same database and the same
   * signing key file, taking writes for one tenant at once.
   */
  @Test
  void twoNodesOnOneDatabaseTakeWritesForOneTenantAtOnceWithoutGapsOrRepeats() throws Exception {
    String schema = newSchema();
    TestNode a = start(dir.resolve("a"), schema);
    Files.createDirectories(dir.resolve("b"));
    Files.copy(
        dir.resolve("a").resolve(SigningKey.FILE_NAME),
        dir.resolve("b").resolve(SigningKey.FILE_NAME));
    TestNode b = start(dir.resolve("b"), schema);

    List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    List<TestNode> clients = List.of(a, b, a, b);
    CountDownLatch done = new CountDownLatch(clients.size());
    for (int w = 0; w < clients.size(); w++) {
      TestNode target = clients.get(w);
      String tag = "w" + w;
      new Thread(
              () -> {
                try {
                  for (int i = 0; i < 15; i++) {
                    for (JsonNode r : ingest(target, tag + "-" + i, 1 + (i % 7))) {
                      assertEquals("accepted", r.get("status").asText(), r.toString());
                      seqs.add(r.get("seq").asLong());
                    }
                  }
                } catch (Throwable t) {
                  failures.add(t);
                } finally {
                  done.countDown();
                }
              })
          .start();
    }
    done.await();
    assertEquals(List.of(), failures);
    assertEquals(seqs.size(), new HashSet<>(seqs).size(), "no seq given twice");

    // node b's own search index follows what node a committed
    long deadline = System.nanoTime() + 20_000_000_000L;
    int seen = 0;
    while (System.nanoTime() < deadline) {
      seen = b.get("/v1/events?actor_id=w0-14-0", ADMIN_KEY).body().get("events").size();
      if (seen == 1) {
        break;
      }
      Thread.sleep(100);
    }
    assertEquals(1, seen, "an event ingested on node a is found on node b");

    // one log: every leaf recomputed and proven against a checkpoint of either node
    for (TestNode n : List.of(a, b)) {
      Path data = n == a ? dir.resolve("a") : dir.resolve("b");
      Run verify = verifyOnline(n, data, dir.resolve("state-" + (n == a ? "a" : "b")));
      assertEquals(0, verify.exit(), verify.output());
    }
    Set<Long> distinct = new HashSet<>(seqs);
    assertEquals(seqs.size(), distinct.size());
  }

  /**
   * Read-your-writes across nodes: a client that wrote through one node and then lists through the
   * other sees its events at once, not after the other node's next look at the store.
   */
  @Test
  void listsAtOnceOnOneNodeWhatWasJustWrittenThroughTheOther() throws Exception {
    String schema = newSchema();
    TestNode a = start(dir.resolve("a"), schema);
    Files.createDirectories(dir.resolve("b"));
    Files.copy(
        dir.resolve("a").resolve(SigningKey.FILE_NAME),
        dir.resolve("b").resolve(SigningKey.FILE_NAME));
    TestNode b = start(dir.resolve("b"), schema);
    a.get("/v1/events?limit=1", ADMIN_KEY); // the tenant is known to node a before b writes
    for (int round = 0; round < 5; round++) {
      String actor = "ryw-" + round;
      ingest(b, actor, 3);
      JsonNode page = a.get("/v1/events?actor_id=" + actor + "-0", ADMIN_KEY).body();
      assertEquals(1, page.get("events").size(), "round " + round + ": " + page);
    }
  }

  /**
   * Two nodes on one database: one holds the checkpoint-signer lease and signs for both, both serve
   * the one checkpoint history from the store; when the holder stops, the other takes the lease and
   * its checkpoints extend the earlier ones (the online verifier checks consistency from its saved
   * state).
   */
  @Test
  void oneNodeSignsForBothAndTheOtherTakesOverTheSigningLeaseWhenItStops() throws Exception {
    String schema = newSchema();
    TestNode a = start(dir.resolve("a"), schema);
    Files.createDirectories(dir.resolve("b"));
    Files.copy(
        dir.resolve("a").resolve(SigningKey.FILE_NAME),
        dir.resolve("b").resolve(SigningKey.FILE_NAME));
    TestNode b = start(dir.resolve("b"), schema);
    assertEquals(1, signerLeaseHeld(a), "the first node takes the lease at start");
    assertEquals(0, signerLeaseHeld(b), "exactly one node holds it");

    ingest(a, "on-a", 5);
    NoteVerifier verifier = NoteVerifier.parse(b.get("/v1/log/key", ADMIN_KEY).raw().body().trim());
    JsonNode onB =
        b.post(
                "/v1/events?wait_for_checkpoint=true",
                ADMIN_KEY,
                b.json.createArrayNode().add(b.loginEvent("on-b")))
            .body();
    Checkpoint first = verifier.verifyCheckpoint(onB.get("checkpoint").asText());
    assertTrue(first.size() >= 6, "a checkpoint signed by node a covers node b's write");
    TestNode.Reply fromA = a.get("/v1/log/checkpoint", ADMIN_KEY);
    TestNode.Reply fromB = b.get("/v1/log/checkpoint", ADMIN_KEY);
    assertEquals(200, fromA.status(), fromA.raw().body());
    assertEquals(fromA.body(), fromB.body(), "both nodes serve the same latest checkpoint");
    Run before = verifyOnline(b, dir.resolve("b"), dir.resolve("state"));
    assertEquals(0, before.exit(), before.output());

    a.close();
    nodes.remove(a);
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (signerLeaseHeld(b) != 1 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(1, signerLeaseHeld(b), "node b takes the lease once node a is gone");

    JsonNode later =
        b.post(
                "/v1/events?wait_for_checkpoint=true",
                ADMIN_KEY,
                b.json.createArrayNode().add(b.loginEvent("after-takeover")))
            .body();
    Checkpoint second = verifier.verifyCheckpoint(later.get("checkpoint").asText());
    assertTrue(second.size() > first.size(), first.size() + " then " + second.size());
    Run after = verifyOnline(b, dir.resolve("b"), dir.resolve("state"));
    assertEquals(0, after.exit(), after.output());
  }

  /**
   * The holder's lease session ends as if its node had lost the database (the server terminates
   * it): the holder counts the lease lost, one node holds it again within seconds, and checkpoints
   * continue consistently with the earlier ones.
   */
  @Test
  void whenTheHoldersLeaseSessionDiesOneNodeHoldsTheLeaseAgainAndCheckpointsContinue()
      throws Exception {
    String schema = newSchema();
    TestNode a = start(dir.resolve("a"), schema);
    Files.createDirectories(dir.resolve("b"));
    Files.copy(
        dir.resolve("a").resolve(SigningKey.FILE_NAME),
        dir.resolve("b").resolve(SigningKey.FILE_NAME));
    TestNode b = start(dir.resolve("b"), schema);
    NoteVerifier verifier = NoteVerifier.parse(a.get("/v1/log/key", ADMIN_KEY).raw().body().trim());
    JsonNode early =
        a.post(
                "/v1/events?wait_for_checkpoint=true",
                ADMIN_KEY,
                a.json.createArrayNode().add(a.loginEvent("early")))
            .body();
    Checkpoint first = verifier.verifyCheckpoint(early.get("checkpoint").asText());
    Run before = verifyOnline(b, dir.resolve("b"), dir.resolve("state"));
    assertEquals(0, before.exit(), before.output());

    long roleKey = Integer.toUnsignedLong((schema + "/checkpoint-signer").hashCode());
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
        Statement s = c.createStatement();
        java.sql.ResultSet rs =
            s.executeQuery(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype ="
                    + " 'advisory' AND granted AND classid = "
                    + 0x56454c03
                    + " AND objid = "
                    + roleKey
                    + " AND objsubid = 2")) {
      rs.next();
      assertEquals(1, rs.getInt(1), "one session holds the lease");
    }

    JsonNode later =
        b.post(
                "/v1/events?wait_for_checkpoint=true",
                ADMIN_KEY,
                b.json.createArrayNode().add(b.loginEvent("after-loss")))
            .body();
    Checkpoint second = verifier.verifyCheckpoint(later.get("checkpoint").asText());
    assertTrue(second.size() > first.size(), first.size() + " then " + second.size());
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (signerLeaseHeld(a) + signerLeaseHeld(b) != 1 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(1, signerLeaseHeld(a) + signerLeaseHeld(b), "exactly one node holds the lease");
    Run after = verifyOnline(b, dir.resolve("b"), dir.resolve("state"));
    assertEquals(0, after.exit(), after.output());
  }

  /** {@code vellum_lease_held{role="checkpoint-signer"}} of the node's metrics. */
  private static int signerLeaseHeld(TestNode node) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "(?m)^vellum_lease_held\\{role=\"checkpoint-signer\",?\\} ([0-9.]+)$")
            .matcher(node.get("/metrics", null).raw().body());
    assertTrue(m.find(), "the lease metric is exported");
    return (int) Double.parseDouble(m.group(1));
  }

  /**
   * A client retrying through another node while the first attempt is still committing: the ids are
   * looked up under the tenant lock, so one node stores the event and the other answers duplicate
   * with the same seq, never an error.
   */
  @Test
  void theSameIdSentToTwoNodesAtOnceIsStoredOnceAndAnsweredAsADuplicateByTheOther()
      throws Exception {
    String schema = newSchema();
    TestNode a = start(dir.resolve("a"), schema);
    Files.createDirectories(dir.resolve("b"));
    Files.copy(
        dir.resolve("a").resolve(SigningKey.FILE_NAME),
        dir.resolve("b").resolve(SigningKey.FILE_NAME));
    TestNode b = start(dir.resolve("b"), schema);
    for (int i = 0; i < 20; i++) {
      com.fasterxml.jackson.databind.node.ObjectNode event = a.loginEvent("twice-" + i);
      event.put("id", UUID.randomUUID().toString());
      ArrayNode body = a.json.createArrayNode().add(event);
      List<JsonNode> answers = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> senders = new ArrayList<>();
      for (TestNode n : List.of(a, b)) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    return;
                  }
                  TestNode.Reply r = n.post("/v1/events", ADMIN_KEY, body);
                  answers.add(
                      r.status() == 200
                          ? r.body().get("results").get(0)
                          : r.body() == null
                              ? a.json.createObjectNode().put("status", "http " + r.status())
                              : r.body());
                });
        t.start();
        senders.add(t);
      }
      go.countDown();
      for (Thread t : senders) {
        t.join();
      }
      List<String> statuses = new ArrayList<>();
      answers.forEach(r -> statuses.add(r.path("status").asText()));
      Collections.sort(statuses);
      assertEquals(List.of("accepted", "duplicate"), statuses, answers.toString());
      assertEquals(answers.get(0).get("seq").asLong(), answers.get(1).get("seq").asLong());
    }
  }

  @Test
  void serveExits5WithOneLineWhenPostgresCannotBeReached() throws Exception {
    Path config = dir.resolve("vellum.yaml");
    Files.writeString(
        config,
        "store: postgres\npostgres:\n  url: jdbc:postgresql://127.0.0.1:1/test\n  user: x\n");
    Run run =
        vellum(
            "serve",
            "--config",
            config.toString(),
            "--port",
            "0",
            "--data-dir",
            dir.resolve("data").toString());
    assertEquals(5, run.exit(), run.output());
    assertTrue(
        run.output()
            .contains("vellum: cannot reach PostgreSQL at jdbc:postgresql://127.0.0.1:1/test"),
        run.output());
  }

  @Test
  void serveExits6WhenTheSchemaCannotBeMigrated() throws Exception {
    String schema = newSchema();
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
      s.execute("CREATE TABLE " + schema + ".tenants (x int)");
    }
    Path config = dir.resolve("vellum.yaml");
    Files.writeString(
        config,
        "store: postgres\npostgres:\n  url: "
            + URL
            + "\n  user: "
            + USER
            + "\n  schema: "
            + schema
            + "\n");
    Run run =
        vellum(
            "serve",
            "--config",
            config.toString(),
            "--port",
            "0",
            "--data-dir",
            dir.resolve("data").toString());
    assertEquals(6, run.exit(), run.output());
    assertTrue(run.output().contains("cannot migrate the Vellum schema"), run.output());
  }

  record Run(int exit, String output) {}

  static Run verifyOnline(TestNode node, Path dataDir, Path state) throws Exception {
    String skey = Files.readString(dataDir.resolve(SigningKey.FILE_NAME)).trim();
    String trusted =
        SigningKey.fromPrivateKey(skey, "vellum.local").signer("default").verifierKey();
    return vellum(
        "verify",
        "--url",
        node.url(""),
        "--key",
        ADMIN_KEY,
        "--trusted-key",
        trusted,
        "--state",
        state.toString());
  }

  static Run vellum(String... args) {
    StringWriter sw = new StringWriter();
    PrintWriter pw = new PrintWriter(sw);
    java.io.PrintStream oldErr = System.err;
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      int exit = new CommandLine(new VellumCli()).setOut(pw).setErr(pw).execute(args);
      pw.flush();
      return new Run(exit, sw + err.toString(java.nio.charset.StandardCharsets.UTF_8));
    } finally {
      System.setErr(oldErr);
    }
  }
}
