package dev.vellum.app;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.testing.TestNode;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM: the server stops accepting, commits what it acknowledged, and exits 0. */
class GracefulShutdownTest {
  @TempDir Path dir;

  @Test
  void sigtermDrainsAndExitsZeroKeepingEveryAcknowledgedEvent() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "dev.vellum.cli.VellumCli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--data-dir",
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile());
    pb.environment().put("VELLUM_BOOTSTRAP_KEY", ADMIN_KEY);
    Process server = pb.start();
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port;
    awaitReady(http, base);

    List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean sending = new AtomicBoolean(true);
    Thread client =
        new Thread(
            () -> {
              while (sending.get()) {
                String id = UUID.randomUUID().toString();
                String body =
                    "{\"id\":\""
                        + id
                        + "\",\"occurred_at\":\""
                        + Instant.now().minusSeconds(1)
                        + "\",\"source\":\"DEMO_APP\",\"type\":\"LOGOUT_SUCCESSFUL\",\"actor\":{\"id\":\"u\"}}";
                try {
                  HttpResponse<String> r =
                      http.send(
                          HttpRequest.newBuilder(URI.create(base + "/v1/events"))
                              .header("Authorization", "Bearer " + ADMIN_KEY)
                              .header("Content-Type", "application/json")
                              .POST(HttpRequest.BodyPublishers.ofString(body))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                  if (r.statusCode() == 200) {
                    acknowledged.add(id);
                  }
                } catch (Exception stopped) {
                  return;
                }
              }
            });
    client.start();
    while (acknowledged.size() < 50) {
      Thread.sleep(20);
    }
    server.destroy(); // SIGTERM
    assertTrue(server.waitFor(60, TimeUnit.SECONDS), "server did not stop");
    sending.set(false);
    client.join(10_000);
    assertEquals(0, server.exitValue(), "exit code after SIGTERM");

    try (TestNode node = TestNode.start(dir)) {
      ObjectMapper json = new ObjectMapper();
      for (String id : new ArrayList<>(acknowledged)) {
        assertEquals(200, node.get("/v1/events/" + id, ADMIN_KEY).status(), id);
      }
      JsonNode page = node.get("/v1/events?type=LOGOUT_SUCCESSFUL&limit=1000", ADMIN_KEY).body();
      assertTrue(
          page.get("events").size() >= acknowledged.size(),
          json.writeValueAsString(page.get("next_cursor")));
    }
  }

  private static void awaitReady(HttpClient http, String base) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("server did not become ready");
  }
}
