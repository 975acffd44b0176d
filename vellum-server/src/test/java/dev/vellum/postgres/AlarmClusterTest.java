package dev.vellum.postgres;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.app.VellumNode;
import dev.vellum.config.VellumConfig;
import dev.vellum.testing.Eventually;
import dev.vellum.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alarms on two nodes sharing one PostgreSQL database: a cluster signal (read from the shared
 * store) raises one alert for the cluster, a node signal one alert per node, each naming its node.
 */
@Timeout(180)
class AlarmClusterTest {
  @TempDir Path dir;
  private PgCluster cluster;

  @AfterEach
  void cleanUp() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private TestNode start(String name) {
    return cluster.start(
        name,
        c ->
            c.withAlarms(
                new VellumConfig.Alarms(
                    Duration.ofMillis(250), Duration.ofSeconds(5), List.of("default"))),
        VellumNode.Extensions.none());
  }

  private static String rule(TestNode node, String name, String signal) {
    TestNode.Reply r =
        node.post(
            "/v1/rules",
            ADMIN_KEY,
            "{\"name\":\"" + name + "\",\"signal\":" + signal + ",\"suppress_seconds\":0}");
    assertEquals(201, r.status(), r.raw().body());
    return r.body().path("id").asText();
  }

  private static List<JsonNode> alertsOf(TestNode node, String ruleId) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode a : node.get("/v1/alerts?limit=500", ADMIN_KEY).body().path("alerts")) {
      if (a.path("rule_id").asText().equals(ruleId)) {
        out.add(a);
      }
    }
    return out;
  }

  @Test
  void aClusterSignalAlarmsOncePerClusterAndANodeSignalOncePerNode() throws Exception {
    cluster = new PgCluster(dir);
    TestNode a = start("a");
    // conditions that always hold: a checkpoint age is never negative, a disk has free bytes
    String once =
        rule(a, "Cluster", "{\"name\":\"checkpoint_age_seconds\",\"op\":\">=\",\"value\":0}");
    String perNode = rule(a, "Node", "{\"name\":\"disk_free_bytes\",\"op\":\">\",\"value\":0}");
    TestNode b = start("b");
    Eventually.eventually(
        "an alert from each node",
        () -> {
          List<JsonNode> got = alertsOf(a, perNode);
          return got.size() >= 2 && !alertsOf(a, once).isEmpty() ? got : null;
        });
    // a few more samples on both nodes: still one cluster alert, still one alert per node
    Thread.sleep(2_000);
    assertEquals(1, alertsOf(b, once).size(), alertsOf(b, once).toString());
    List<JsonNode> fromB = alertsOf(b, perNode);
    assertEquals(2, fromB.size(), fromB.toString());
    assertNotEquals(
        fromB.get(0).path("group").path("node").asText(),
        fromB.get(1).path("group").path("node").asText());
    assertEquals("firing", fromB.get(0).path("status").asText());
  }
}
