package dev.vellum.postgres;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.app.VellumNode;
import dev.vellum.store.postgres.PostgresDirectoryStore;
import dev.vellum.testing.TestNode;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directory changes made on one node reach the caches of another node on the same database within a
 * second (PostgreSQL {@code LISTEN/NOTIFY}), and after the listener's connection broke.
 */
class ClusterCacheTest {
  @TempDir Path dir;
  private PgCluster cluster;
  private TestNode a;
  private TestNode b;

  @BeforeEach
  void startTwoNodes() {
    cluster = new PgCluster(dir);
    a = cluster.start("a", VellumNode.Extensions.none());
    b = cluster.start("b", VellumNode.Extensions.none());
  }

  @AfterEach
  void cleanUp() throws Exception {
    cluster.close();
  }

  /** Polls until the condition holds or {@code millis} passed; the last poll decides. */
  private static boolean within(long millis, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }

  private String newKey(String scopes) {
    TestNode.Reply r = a.post("/v1/keys", ADMIN_KEY, "{\"name\":\"k\",\"scopes\":" + scopes + "}");
    assertEquals(201, r.status(), r.raw().body());
    return r.body().get("id").asText() + " " + r.body().get("api_key").asText();
  }

  @Test
  void aKeyRevokedOnOneNodeIsRefusedByTheOtherWithinOneSecond() throws Exception {
    String[] key = newKey("[\"events:read\"]").split(" ");
    assertEquals(200, b.get("/v1/sources", key[1]).status(), "node b knows (and caches) the key");
    assertEquals(200, b.get("/v1/sources", key[1]).status());

    assertEquals(204, a.send("DELETE", "/v1/keys/" + key[0], ADMIN_KEY, null, null).status());
    assertTrue(
        within(1_000, () -> b.get("/v1/sources", key[1]).status() == 401),
        "node b refuses the revoked key within a second");
  }

  @Test
  void aSourceAndAnEventTypeRegisteredOnOneNodeAreAcceptedByTheOtherWithinOneSecond()
      throws Exception {
    PgCluster.ingest(b, "warm", 1); // node b caches the tenant's sources and types
    com.fasterxml.jackson.databind.node.ObjectNode event = b.loginEvent("new-source");
    event.put("source", "BILLING");
    assertEquals(
        "rejected",
        b.post("/v1/events", ADMIN_KEY, b.json.createArrayNode().add(event))
            .body()
            .get("results")
            .get(0)
            .get("status")
            .asText());

    assertEquals(200, a.put("/v1/sources/BILLING", ADMIN_KEY, "{\"name\":\"Billing\"}").status());
    assertTrue(
        within(
            1_000,
            () -> {
              JsonNode r =
                  b.post("/v1/events", ADMIN_KEY, b.json.createArrayNode().add(event)).body();
              return "accepted".equals(r.get("results").get(0).get("status").asText());
            }),
        "node b accepts the source registered on node a within a second");
  }

  @Test
  void aUsagePlanSetOnOneNodeAppliesOnTheOtherWithinOneSecond() throws Exception {
    String[] key = newKey("[\"events:read\"]").split(" ");
    assertEquals(200, b.get("/v1/sources", key[1]).status());
    TestNode.Reply put =
        a.put(
            "/v1/keys/" + key[0] + "/usage-plan",
            ADMIN_KEY,
            "{\"requests_per_second\":1000,\"burst\":1000,\"quota\":5,\"quota_period\":\"day\"}");
    assertEquals(200, put.status(), put.raw().body());
    assertTrue(
        within(1_000, () -> "5".equals(b.get("/v1/sources", key[1]).header("X-Quota-Limit"))),
        "node b applies the plan set on node a within a second");
  }

  @Test
  void afterItsListenerLostTheDatabaseANodeDropsItsCachesAndRefusesAKeyRevokedMeanwhile()
      throws Exception {
    String[] key = newKey("[\"events:read\"]").split(" ");
    assertEquals(200, b.get("/v1/sources", key[1]).status());
    long killed =
        cluster.queryLong(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE application_name = '"
                + PostgresDirectoryStore.listenerName(cluster.schema)
                + "'");
    assertEquals(2, killed, "both nodes' listeners were connected");
    assertEquals(204, a.send("DELETE", "/v1/keys/" + key[0], ADMIN_KEY, null, null).status());
    assertTrue(
        within(10_000, () -> b.get("/v1/sources", key[1]).status() == 401),
        "node b refuses the key once its listener reconnected");
  }

  /**
   * The rules engine runs on the node holding the rules lease; a rule created through another
   * node's API applies to the next matching event, though the engine had already read the tenant's
   * (then empty) rules.
   */
  @Test
  void aRuleCreatedOnOneNodeIsAppliedByTheEngineOnTheOther() throws Exception {
    assertTrue(
        within(
            10_000, () -> PgCluster.leaseHeld(a, "rules") + PgCluster.leaseHeld(b, "rules") == 1),
        "one node holds the rules lease");
    TestNode engineNode = PgCluster.leaseHeld(a, "rules") == 1 ? a : b;
    TestNode other = engineNode == a ? b : a;
    PgCluster.ingest(engineNode, "before-the-rule", 1); // the engine reads the tenant's rules
    assertTrue(
        within(10_000, () -> alerts(engineNode).size() == 0 && ruleLag(engineNode) == 0),
        "the engine saw the tenant before the rule existed");

    TestNode.Reply created =
        other.post(
            "/v1/rules",
            ADMIN_KEY,
            "{\"name\":\"any login\",\"pattern\":{\"type\":[\"LOGIN_SUCCESSFUL\"]}}");
    assertEquals(201, created.status(), created.raw().body());
    Thread.sleep(1_000); // the notice travels; the test is about the next event, not timing
    PgCluster.ingest(other, "after-the-rule", 1);
    assertTrue(
        within(10_000, () -> alerts(engineNode).size() == 1),
        "the rule fired on the engine's node: " + alerts(engineNode));
  }

  private static JsonNode alerts(TestNode node) {
    return node.get("/v1/alerts", ADMIN_KEY).body().get("alerts");
  }

  private static long ruleLag(TestNode node) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "(?m)^vellum_feed_consumer_lag_events\\{consumer=\"rules\",?\\} ([0-9.]+)$")
            .matcher(node.get("/metrics", null).raw().body());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
  }
}
