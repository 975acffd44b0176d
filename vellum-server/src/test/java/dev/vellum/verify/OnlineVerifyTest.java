package dev.vellum.verify;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.vellum.core.note.Checkpoint;
import dev.vellum.core.note.NoteSigner;
import dev.vellum.log.SigningKey;
import dev.vellum.testing.TestNode;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vellum verify --url} and {@code vellum monitor} against a running node. The trusted key is
 * derived from the data dir's key file, not fetched from the server under test. Forks and rollbacks
 * are simulated by checkpoints signed with the log's own key, which is exactly what a dishonest
 * operator could produce.
 */
class OnlineVerifyTest {
  @TempDir static Path dir;
  static TestNode node;
  static NoteSigner signer;

  @TempDir Path work;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir.resolve("data"));
    long last = Cli.ingest(node, 40, "online");
    Cli.awaitCheckpoint(node, last + 1);
    String skey = Files.readString(dir.resolve("data").resolve(SigningKey.FILE_NAME)).trim();
    signer = SigningKey.fromPrivateKey(skey, "vellum.local").signer("default");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private Cli.Run verify(Path state, String... more) {
    java.util.List<String> args =
        new java.util.ArrayList<>(
            java.util.List.of(
                "verify",
                "--url",
                node.url(""),
                "--key",
                ADMIN_KEY,
                "--trusted-key",
                signer.verifierKey(),
                "--state",
                state.toString()));
    args.addAll(java.util.List.of(more));
    return Cli.vellum(args.toArray(String[]::new));
  }

  private static Checkpoint saved(Path state) throws Exception {
    return signer.verifier().verifyCheckpoint(Files.readString(state));
  }

  /** A checkpoint the log's key signed for a tree the log never had. */
  private static String forged(long size, byte fill) {
    byte[] root = new byte[32];
    java.util.Arrays.fill(root, fill);
    return signer.sign(new Checkpoint(signer.name(), size, root).toNoteText());
  }

  @Test
  void verifyOnline_cleanLog_exits0AndSavesCheckpoint_thenChecksConsistency() throws Exception {
    Path state = work.resolve("state.txt");
    Cli.Run first = verify(state, "--json");
    assertEquals(0, first.exit(), first.output());
    JsonNode j = first.json();
    long size1 = j.get("latest_checkpoint").get("tree_size").asLong();
    assertTrue(size1 >= 40, first.output());
    assertEquals(size1, j.get("events_proven").asLong(), first.output());
    assertEquals(size1, saved(state).size());

    long last = Cli.ingest(node, 10, "online-more");
    Cli.awaitCheckpoint(node, last + 1);
    Cli.Run second = verify(state, "--sample", "5");
    assertEquals(0, second.exit(), second.output());
    assertTrue(
        second.output().contains("saved checkpoint: size " + size1 + ": consistent"),
        second.output());
    assertTrue(second.output().contains("5 proven"), second.output());
    assertTrue(saved(state).size() > size1);
  }

  @Test
  void verifyOnline_forkedLog_exits1AndKeepsState() throws Exception {
    Path state = work.resolve("state.txt");
    assertEquals(0, verify(state, "--sample", "0").exit());
    Checkpoint real = saved(state);
    // the same size, another root, both signed by the log's key: a fork
    String fork = forged(real.size(), (byte) 7);
    Files.writeString(state, fork);
    Cli.Run run = verify(state, "--sample", "0", "--json");
    assertEquals(1, run.exit(), run.output());
    String kind = run.json().get("findings").get(0).get("kind").asText();
    assertTrue(kind.equals("fork") || kind.equals("consistency"), run.output());
    assertEquals(fork, Files.readString(state), "a bad log must not move the saved state");
  }

  @Test
  void verifyOnline_shrunkTree_exits1() throws Exception {
    Path state = work.resolve("state.txt");
    Files.writeString(state, forged(1_000_000, (byte) 1));
    Cli.Run run = verify(state, "--sample", "0", "--json");
    assertEquals(1, run.exit(), run.output());
    assertEquals("tree_shrank", run.json().get("findings").get(0).get("kind").asText());
  }

  @Test
  void verifyOnline_untrustedKey_exits1() {
    String other = NoteSigner.generate(signer.name()).verifierKey();
    Cli.Run run =
        Cli.vellum(
            "verify",
            "--url",
            node.url(""),
            "--key",
            ADMIN_KEY,
            "--trusted-key",
            other,
            "--state",
            work.resolve("s.txt").toString());
    assertEquals(1, run.exit(), run.output());
    assertTrue(run.output().contains("[checkpoint_signature]"), run.output());
    assertTrue(Files.notExists(work.resolve("s.txt")));
  }

  @Test
  void verifyOnline_unreachableServer_exits2() {
    Cli.Run run =
        Cli.vellum(
            "verify",
            "--url",
            "http://127.0.0.1:1",
            "--key",
            ADMIN_KEY,
            "--trusted-key",
            signer.verifierKey(),
            "--state",
            work.resolve("s.txt").toString());
    assertEquals(2, run.exit(), run.output());
  }

  @Test
  void monitorOnce_cleanThenFork_alertsWebhookAndExits1() throws Exception {
    Path state = work.resolve("witness.txt");
    Cli.Run ok =
        Cli.vellum(
            "monitor",
            "--url",
            node.url(""),
            "--key",
            ADMIN_KEY,
            "--trusted-key",
            signer.verifierKey(),
            "--state",
            state.toString(),
            "--once");
    assertEquals(0, ok.exit(), ok.output());
    assertTrue(ok.output().contains("OK: checkpoint vellum.local/default"), ok.output());

    BlockingQueue<String> alerts = new ArrayBlockingQueue<>(4);
    HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext(
        "/alert",
        ex -> {
          alerts.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    hook.start();
    try {
      Files.writeString(state, forged(saved(state).size(), (byte) 9));
      Cli.Run bad =
          Cli.vellum(
              "monitor",
              "--url",
              node.url(""),
              "--key",
              ADMIN_KEY,
              "--trusted-key",
              signer.verifierKey(),
              "--state",
              state.toString(),
              "--once",
              "--interval",
              "1s",
              "--webhook",
              "http://127.0.0.1:" + hook.getAddress().getPort() + "/alert");
      assertEquals(1, bad.exit(), bad.output());
      assertTrue(bad.output().contains("ALERT"), bad.output());
      String alert = alerts.poll(5, TimeUnit.SECONDS);
      assertTrue(alert != null, "no webhook call");
      JsonNode a = new ObjectMapper().readTree(alert);
      assertEquals("vellum.log.tampering", a.get("alert").asText());
      // "fork" when the tree has not grown since the forged checkpoint, "consistency" when the
      // checkpointer signed a larger tree in between; both are the forged history being caught
      String kind = a.get("findings").get(0).get("kind").asText();
      assertTrue(kind.equals("fork") || kind.equals("consistency"), alert);
    } finally {
      hook.stop(0);
    }
  }
}
