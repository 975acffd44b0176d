package dev.vellum.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteEventStore;
import dev.vellum.testing.TestNode;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL while two consumers lag behind by different amounts (they stall after 120 and 40 events):
 * after the restart each resumes from its own durable position, and its output holds every
 * committed event at least once.
 */
@Timeout(180)
class FeedCrashTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void consumersResumeFromTheirOwnPositionsAfterSigkillAndSkipNothing() throws Exception {
    Path dataDir = work.resolve("data");
    Process first = startChild(dataDir, 120, 40);
    Path outA = work.resolve("lag-a.txt");
    Path outB = work.resolve("lag-b.txt");
    int port = port(work.resolve("port-1"));
    for (int b = 0; b < 30; b++) {
      assertEquals(200, post(port, batch(10)));
    }
    long stalled = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (events(outA) < 120 || events(outB) < 40) {
      assertTrue(System.nanoTime() < stalled, "consumers never reached their stall points");
      Thread.sleep(20);
    }
    Map<String, Long> lagAtKill = lags(port);
    first.destroyForcibly(); // SIGKILL
    assertTrue(first.waitFor(30, TimeUnit.SECONDS));
    assertTrue(
        lagAtKill.get("lag-a") > 0 && lagAtKill.get("lag-b") > 0,
        "both consumers lagged when killed: " + lagAtKill);

    Process second = startChild(dataDir, 0, 0);
    int port2 = port(work.resolve("port-2"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!lags(port2).values().stream().allMatch(l -> l == 0)) {
      assertTrue(System.nanoTime() < deadline, "consumers never caught up");
      Thread.sleep(50);
    }
    second.destroy(); // SIGTERM: graceful
    assertTrue(second.waitFor(60, TimeUnit.SECONDS));

    List<FeedEvent> committed;
    try (SqliteEventStore store = new SqliteEventStore(SqliteDatabase.open(dataDir))) {
      committed = store.after(0, Integer.MAX_VALUE);
    }
    assertTrue(committed.size() >= 300);
    List<Long> resumes = new ArrayList<>();
    for (String name : List.of("lag-a", "lag-b")) {
      resumes.add(checkOutput(work.resolve(name + ".txt"), committed));
    }
    assertTrue(
        !resumes.get(0).equals(resumes.get(1)),
        "each consumer resumed from a position of its own: " + resumes);
  }

  private static long events(Path file) throws IOException {
    return !Files.exists(file)
        ? 0
        : Files.readAllLines(file).stream().filter(l -> !l.startsWith("#")).count();
  }

  /**
   * Checks one consumer's output: every committed event is in it, and after the restart it started
   * right after the position it resumed from. Returns that position.
   */
  private static long checkOutput(Path file, List<FeedEvent> committed) throws IOException {
    List<String> lines = Files.readAllLines(file);
    Set<Long> seen = new HashSet<>();
    List<Long> resumes = new ArrayList<>();
    long lastBeforeRestart = 0;
    Long firstAfterRestart = null;
    for (String line : lines) {
      if (line.startsWith("# resume ")) {
        resumes.add(Long.parseLong(line.substring(9)));
        continue;
      }
      long position = Long.parseLong(line.split(" ")[0]);
      seen.add(position);
      if (resumes.size() == 1) {
        lastBeforeRestart = position;
      } else if (firstAfterRestart == null) {
        firstAfterRestart = position;
      }
    }
    assertEquals(2, resumes.size(), file + ": one start, one restart");
    long resumedFrom = resumes.get(1);
    assertTrue(
        resumedFrom <= lastBeforeRestart,
        file + ": resumed at " + resumedFrom + " after writing up to " + lastBeforeRestart);
    long lastCommitted = committed.get(committed.size() - 1).position();
    if (resumedFrom < lastCommitted) {
      assertEquals(
          Long.valueOf(resumedFrom + 1), firstAfterRestart, file + ": restart skipped events");
    }
    for (FeedEvent e : committed) {
      assertTrue(seen.contains(e.position()), file + " misses position " + e.position());
    }
    return resumedFrom;
  }

  private static Process startChild(Path dataDir, long stallA, long stallB) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String name = Files.exists(dataDir) ? "port-2" : "port-1";
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            LaggingConsumersNode.class.getName(),
            dataDir.toString(),
            dataDir.resolveSibling(name).toString(),
            Long.toString(stallA),
            Long.toString(stallB));
    pb.redirectErrorStream(true);
    pb.redirectOutput(dataDir.resolveSibling(name + ".log").toFile());
    return pb.start();
  }

  private static int port(Path portFile) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(portFile)) {
      assertTrue(System.nanoTime() < deadline, "child never started");
      Thread.sleep(20);
    }
    return Integer.parseInt(Files.readString(portFile).trim());
  }

  private static String batch(int size) {
    ArrayNode events = JSON.createArrayNode();
    for (int i = 0; i < size; i++) {
      ObjectNode e = events.addObject();
      e.put("occurred_at", Instant.now().minusSeconds(5).truncatedTo(ChronoUnit.MILLIS).toString());
      e.put("source", "DEMO_APP");
      e.put("type", "LOGIN_SUCCESSFUL");
      e.put("outcome", "success");
      e.putObject("actor").put("type", "user").put("id", "crash-" + i);
      e.putObject("metadata").put("login_method", "PASSWORD");
    }
    return events.toString();
  }

  private static int post(int port, String body) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
            .header("Authorization", "Bearer " + TestNode.ADMIN_KEY)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HTTP.send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static Map<String, Long> lags(int port) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/admin/consumers"))
            .header("Authorization", "Bearer " + TestNode.ADMIN_KEY)
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build();
    JsonNode body = JSON.readTree(HTTP.send(r, HttpResponse.BodyHandlers.ofString()).body());
    Map<String, Long> lags = new HashMap<>();
    for (JsonNode c : body.get("consumers")) {
      lags.put(c.get("name").asText(), c.get("lag_events").asLong());
    }
    return lags;
  }
}
