package dev.vellum.postgres;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.note.NoteSigner;
import dev.vellum.log.SigningKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Vellum nodes in JVMs of their own on one PostgreSQL schema, clients spreading batches over
 * them; in the middle of the ingest a node that does not hold the signing lease is SIGKILLed, and
 * then the node holding it. Every acknowledged event is stored once, the tenant's seqs are
 * contiguous, the lease moves, the killed non-holder restarts on its data dir, and the online
 * verifier finds one consistent checkpoint history on the surviving and the restarted node.
 */
class ThreeNodeTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private PgCluster cluster;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private Process startNode(String name, Path keyFile) throws IOException {
    Path data = dir.resolve(name);
    Files.createDirectories(data);
    ProcessBuilder pb =
        new ProcessBuilder(
            ProcessHandle.current().info().command().orElse("java"),
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            PgNodeMain.class.getName(),
            data.toString(),
            dir.resolve(name + ".port").toString(),
            cluster.schema,
            keyFile.toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve(name + ".log").toFile());
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private String url(String name) throws Exception {
    Path file = dir.resolve(name + ".port");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(file)) {
      assertTrue(
          System.nanoTime() < deadline,
          "node " + name + " never started: " + Files.readString(dir.resolve(name + ".log")));
      Thread.sleep(50);
    }
    return "http://127.0.0.1:" + Files.readString(file).trim();
  }

  private static HttpResponse<String> send(String method, String url, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + ADMIN_KEY)
            .header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static ArrayNode batch(String tag, int n) {
    ArrayNode batch = JSON.createArrayNode();
    for (int i = 0; i < n; i++) {
      ObjectNode e = batch.addObject();
      e.put("id", UUID.randomUUID().toString());
      e.put(
          "occurred_at", Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS).toString());
      e.put("source", "DEMO_APP");
      e.put("type", "LOGIN_SUCCESSFUL");
      e.put("outcome", "success");
      e.putObject("actor").put("type", "user").put("id", tag + "-" + i).put("ip", "10.1.2.3");
      e.putObject("metadata").put("login_method", "PASSWORD");
    }
    return batch;
  }

  private static int signerLeaseHeld(String url) throws Exception {
    Matcher m =
        Pattern.compile("(?m)^vellum_lease_held\\{role=\"checkpoint-signer\",?\\} ([0-9.]+)$")
            .matcher(send("GET", url + "/metrics", null).body());
    assertTrue(m.find(), "the lease metric is exported");
    return (int) Double.parseDouble(m.group(1));
  }

  /**
   * Sends the batch to the nodes in turn from {@code first} until one acknowledges it (a killed
   * node's connection fails; the same ids make a resend safe), and records each id's seq.
   */
  private static void sendUntilAcknowledged(
      List<String> urls, int first, ArrayNode batch, Map<String, Long> acked) throws Exception {
    for (int attempt = 0; attempt < 20; attempt++) {
      String url = urls.get((first + attempt) % urls.size());
      try {
        HttpResponse<String> r = send("POST", url + "/v1/events", batch.toString());
        if (r.statusCode() == 200) {
          JsonNode results = JSON.readTree(r.body()).get("results");
          for (int i = 0; i < batch.size(); i++) {
            String status = results.get(i).get("status").asText();
            assertTrue(status.equals("accepted") || status.equals("duplicate"), r.body());
            acked.put(batch.get(i).get("id").asText(), results.get(i).get("seq").asLong());
          }
          return;
        }
      } catch (IOException killed) {
        // that node is gone: the next one takes the same batch
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no node acknowledged a batch");
  }

  private PostgresNodeTest.Run verify(String url, Path keyFile) throws Exception {
    String trusted =
        SigningKey.fromPrivateKey(Files.readString(keyFile).trim(), "vellum.local")
            .signer("default")
            .verifierKey();
    return PostgresNodeTest.vellum(
        "verify",
        "--url",
        url,
        "--key",
        ADMIN_KEY,
        "--trusted-key",
        trusted,
        "--state",
        dir.resolve("verify-state").toString());
  }

  @Test
  void threeNodesSurviveANonHolderAndThenTheSigningNodeBeingKilledMidIngest() throws Exception {
    cluster = new PgCluster(dir);
    Path keyFile = dir.resolve("log.key");
    Files.writeString(keyFile, NoteSigner.generate("vellum.local").privateKey() + "\n");
    Process a = startNode("a", keyFile);
    String urlA = url("a"); // the first node migrates the schema and takes the signing lease
    startNode("b", keyFile);
    Process c = startNode("c", keyFile);
    List<String> urls = List.of(urlA, url("b"), url("c"));
    assertEquals(1, signerLeaseHeld(urlA), "the first node holds the signing lease");
    assertEquals(0, signerLeaseHeld(urls.get(2)), "node c does not");

    Map<String, Long> acked = Collections.synchronizedMap(new HashMap<>());
    sendUntilAcknowledged(urls, 0, batch("warm", 10), acked);
    HttpResponse<String> waited =
        send(
            "POST", urls.get(1) + "/v1/events?wait_for_checkpoint=true", batch("cp", 1).toString());
    assertEquals(200, waited.statusCode(), waited.body());
    assertEquals(0, verify(urls.get(1), keyFile).exit(), "verified before the kill");

    AtomicBoolean killedYet = new AtomicBoolean();
    AtomicBoolean nonHolderKilled = new AtomicBoolean();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    List<Thread> clients = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      int client = w;
      Thread t =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 15; i++) {
                    // a client keeps spreading over all three, the dead one included
                    sendUntilAcknowledged(
                        urls, client + i, batch("c" + client + "-" + i, 1 + i % 5), acked);
                    if (client == 1 && i == 3 && nonHolderKilled.compareAndSet(false, true)) {
                      c.destroyForcibly(); // SIGKILL a node that only takes writes
                    }
                    if (client == 0 && i == 6) {
                      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                      while (!nonHolderKilled.get() && System.nanoTime() < until) {
                        Thread.sleep(10);
                      }
                      killedYet.set(true);
                      a.destroyForcibly(); // then the lease holder, while the others send
                    }
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      t.start();
      clients.add(t);
    }
    for (Thread t : clients) {
      t.join(TimeUnit.SECONDS.toMillis(90));
    }
    assertEquals(List.of(), failures);
    assertTrue(killedYet.get());
    assertTrue(nonHolderKilled.get());
    assertTrue(a.waitFor(10, TimeUnit.SECONDS), "node a is dead");
    assertTrue(c.waitFor(10, TimeUnit.SECONDS), "node c is dead");

    // the killed non-holder comes back on its data dir (its search index included)
    Files.delete(dir.resolve("c.port"));
    startNode("c", keyFile);
    List<String> alive = List.of(urls.get(1), url("c"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (signerLeaseHeld(alive.get(0)) + signerLeaseHeld(alive.get(1)) != 1) {
      assertTrue(System.nanoTime() < deadline, "the lease moved to one surviving node");
      Thread.sleep(100);
    }
    HttpResponse<String> after =
        send(
            "POST",
            alive.get(0) + "/v1/events?wait_for_checkpoint=true",
            batch("last", 1).toString());
    assertEquals(200, after.statusCode(), after.body());

    // every acknowledged event stored once, at the seq it was acknowledged with; seqs contiguous
    long stored = cluster.queryLong("SELECT count(*) FROM events WHERE tenant = 'default'");
    long distinct =
        cluster.queryLong("SELECT count(DISTINCT seq) FROM events WHERE tenant = 'default'");
    long maxSeq = cluster.queryLong("SELECT max(seq) FROM events WHERE tenant = 'default'");
    assertEquals(stored, distinct);
    assertEquals(maxSeq + 1, stored, "seqs 0..max without a gap");
    Set<Long> seqs = new HashSet<>(acked.values());
    assertEquals(acked.size(), seqs.size(), "no two acknowledged ids share a seq");
    for (Map.Entry<String, Long> e : acked.entrySet()) {
      assertEquals(
          e.getValue().longValue(),
          cluster.queryLong(
              "SELECT seq FROM events WHERE tenant = 'default' AND id = '" + e.getKey() + "'"),
          "acknowledged event " + e.getKey());
    }

    // one checkpoint history, served alike by the survivors and consistent with the earlier one
    assertEquals(
        send("GET", alive.get(0) + "/v1/log/checkpoint", null).body(),
        send("GET", alive.get(1) + "/v1/log/checkpoint", null).body());
    for (String url : alive) {
      PostgresNodeTest.Run run = verify(url, keyFile);
      assertEquals(0, run.exit(), run.output());
    }
  }
}
