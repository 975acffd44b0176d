package dev.vellum.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.testing.Eventually;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL between the 4th and 5th failed login of a brute-force burst, restart, send the 5th:
 * exactly one alert and exactly one notification, at a real receiver on loopback.
 */
@Timeout(180)
class RuleCrashTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path work;

  @Test
  void sigkillMidBurstGivesExactlyOneAlertAndOneNotification() throws Exception {
    Path dataDir = work.resolve("data");
    try (Receiver receiver = new Receiver()) {
      Process first = start(dataDir, "port-1");
      int port = port(work.resolve("port-1"));
      JsonNode channel =
          call(
              port,
              "POST",
              "/v1/channels",
              "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/soc") + "\"}");
      call(
          port,
          "POST",
          "/v1/rules",
          "{\"name\":\"Brute force\",\"severity\":\"critical\",\"pattern\":{\"type\":"
              + "[\"LOGIN_FAILED\"]},\"group_by\":[\"actor.id\"],\"threshold\":{\"count\":5,"
              + "\"window_seconds\":600},\"suppress_seconds\":600,\"actions\":{\"notify\":[\""
              + channel.path("id").asText()
              + "\"]}}");
      Instant t = Instant.now().minusSeconds(20).truncatedTo(ChronoUnit.MILLIS);
      for (int i = 0; i < 4; i++) {
        call(port, "POST", "/v1/events", failedLogin(t.plusSeconds(i)).toString());
      }
      awaitNoLag(port); // the engine has seen the four, in memory at least
      first.destroyForcibly(); // SIGKILL
      assertTrue(first.waitFor(30, TimeUnit.SECONDS));

      Process second = start(dataDir, "port-2");
      try {
        int again = port(work.resolve("port-2"));
        call(again, "POST", "/v1/events", failedLogin(t.plusSeconds(4)).toString());
        Eventually.eventually(
            "a delivered notification",
            () -> receiver.received.isEmpty() ? null : receiver.received.get(0));
        awaitNoLag(again);
        Thread.sleep(1_000); // room for a second delivery, if one were wrongly made
        assertEquals(1, receiver.received.size(), "one notification");
        JsonNode alerts = call(again, "GET", "/v1/alerts", null).path("alerts");
        assertEquals(1, alerts.size(), alerts.toString());
        JsonNode payload = JSON.readTree(receiver.received.get(0).body());
        assertEquals(alerts.get(0).path("id").asText(), payload.path("alert_id").asText());
        assertEquals(5, payload.path("trigger_event_ids").size());
      } finally {
        second.destroy();
        second.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static ObjectNode failedLogin(Instant at) {
    ObjectNode e = JSON.createObjectNode();
    e.put("occurred_at", at.toString());
    e.put("source", "DEMO_APP");
    e.put("type", "LOGIN_FAILED");
    e.put("outcome", "failure");
    e.putObject("actor").put("type", "user").put("id", "mallory").put("ip", "203.0.113.9");
    e.putObject("metadata").put("login_failure_code", "INCORRECT_PASSWORD");
    return e;
  }

  private static void awaitNoLag(int port) {
    Eventually.eventually(
        "every consumer caught up",
        () -> {
          for (JsonNode c : call(port, "GET", "/v1/admin/consumers", null).get("consumers")) {
            if (c.get("lag_events").asLong() != 0) {
              return null;
            }
          }
          return true;
        });
  }

  private static JsonNode call(int port, String method, String path, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + TestNode.ADMIN_KEY)
            .timeout(Duration.ofSeconds(30));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      assertTrue(r.statusCode() / 100 == 2, method + " " + path + ": " + r.body());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private Process start(Path dataDir, String portName) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            AlertingNode.class.getName(),
            dataDir.toString(),
            work.resolve(portName).toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(work.resolve(portName + ".log").toFile());
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
}
