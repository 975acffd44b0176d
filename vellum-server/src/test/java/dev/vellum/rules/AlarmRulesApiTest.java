package dev.vellum.rules;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.config.VellumConfig;
import dev.vellum.testing.Eventually;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alarm rules through the HTTP API of a real node whose operator tenant is {@code default}: what is
 * refused (naming the bad part), and what a tenant outside the operator list may watch and see.
 */
@Timeout(120)
class AlarmRulesApiTest {
  @TempDir Path dir;
  private TestNode node;
  private String acmeKey;

  @BeforeEach
  void start() {
    node =
        TestNode.start(
            dir,
            c ->
                c.withAlarms(
                    new VellumConfig.Alarms(
                        Duration.ofMillis(200), Duration.ofSeconds(5), List.of("default"))));
    Reply acme = node.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"acme\"}");
    assertEquals(201, acme.status(), () -> acme.raw().body());
    acmeKey = acme.body().path("api_key").asText();
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private static String rule(String signal) {
    return "{\"name\":\"Alarm\",\"signal\":" + signal + "}";
  }

  private static Set<String> pointers(Reply r) {
    Set<String> out = new HashSet<>();
    r.body().path("errors").forEach(e -> out.add(e.path("pointer").asText()));
    return out;
  }

  @Test
  void refusesBadAlarmRulesNamingTheBadPart() {
    String[][] table = {
      {"{\"name\":\"disk_free\",\"op\":\"<\",\"value\":1}", "/signal/name"},
      {"{\"name\":\"queue_depth\",\"op\":\"=>\",\"value\":1}", "/signal/op"},
      {"{\"name\":\"queue_depth\",\"op\":\">\",\"value\":\"1\"}", "/signal/value"},
      {"{\"name\":\"queue_depth\",\"op\":\">\",\"value\":1e30}", "/signal/value"},
      {"{\"name\":\"queue_depth\",\"op\":\">\",\"value\":1,\"for\":\"8d\"}", "/signal/for"},
      {"{\"name\":\"queue_depth\",\"op\":\">\",\"value\":1,\"for\":\"999h\"}", "/signal/for"},
      {"{\"name\":\"consumer_lag\",\"op\":\">\",\"value\":1}", "/signal/dimension/consumer"},
      {
        "{\"name\":\"queue_depth\",\"dimension\":{\"consumer\":\"x\"},\"op\":\">\",\"value\":1}",
        "/signal/dimension/consumer"
      },
      {"{\"name\":\"queue_depth\",\"op\":\">\",\"value\":1,\"every\":3}", "/signal/every"},
      {"[1]", "/signal"},
    };
    for (String[] row : table) {
      Reply r = node.post("/v1/rules", ADMIN_KEY, rule(row[0]));
      assertEquals(422, r.status(), row[0] + ": " + r.raw().body());
      assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
      assertTrue(pointers(r).contains(row[1]), row[0] + " -> " + pointers(r));
    }
    Reply both =
        node.post(
            "/v1/rules",
            ADMIN_KEY,
            "{\"name\":\"x\",\"pattern\":{\"type\":[\"LOGIN_FAILED\"]},\"signal\":"
                + "{\"name\":\"queue_depth\",\"op\":\">\",\"value\":1}}");
    assertEquals(422, both.status(), both.raw().body());
    assertTrue(pointers(both).contains("/pattern"), pointers(both).toString());
    Reply dry =
        node.post(
            "/v1/rules/test",
            ADMIN_KEY,
            "{\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\",\"rule\":"
                + rule("{\"name\":\"queue_depth\",\"op\":\">\",\"value\":1}")
                + "}");
    assertEquals(422, dry.status(), dry.raw().body());
    assertTrue(pointers(dry).contains("/rule/signal"), pointers(dry).toString());
  }

  @Test
  void aTenantOutsideTheOperatorListIsRefusedNodeSignalsAndOtherTenantsValues() {
    Reply node1 =
        node.post(
            "/v1/rules", acmeKey, rule("{\"name\":\"queue_depth\",\"op\":\">\",\"value\":1}"));
    assertEquals(403, node1.status(), node1.raw().body());
    assertTrue(node1.contentType().startsWith("application/problem+json"));
    assertTrue(node1.body().path("detail").asText().contains("operator"), node1.raw().body());
    Reply lag =
        node.post(
            "/v1/rules",
            acmeKey,
            rule(
                "{\"name\":\"consumer_lag\",\"dimension\":{\"consumer\":\"rules\"},"
                    + "\"op\":\">\",\"value\":1}"));
    assertEquals(403, lag.status(), lag.raw().body());
    Reply other =
        node.post(
            "/v1/rules",
            acmeKey,
            rule(
                "{\"name\":\"ingest_rejection_rate\",\"dimension\":{\"tenant\":\"default\"},"
                    + "\"op\":\">\",\"value\":0.1}"));
    assertEquals(403, other.status(), other.raw().body());

    Reply own =
        node.post(
            "/v1/rules",
            acmeKey,
            rule(
                "{\"name\":\"checkpoint_age_seconds\",\"op\":\">\",\"value\":300,\"for\":\"5m\"}"));
    assertEquals(201, own.status(), own.raw().body());
    assertEquals("checkpoint_age_seconds", own.body().path("signal").path("name").asText());
    // the operator may watch node signals and any tenant's
    Reply operator =
        node.post(
            "/v1/rules",
            ADMIN_KEY,
            rule(
                "{\"name\":\"ingest_rejection_rate\",\"dimension\":{\"tenant\":\"acme\"},"
                    + "\"op\":\">\",\"value\":0.1}"));
    assertEquals(201, operator.status(), operator.raw().body());

    JsonNode acmeSees =
        Eventually.eventually(
            "a first sample",
            () -> {
              JsonNode b = node.get("/v1/alarms/signals", acmeKey).body();
              return b.path("signals").isEmpty() ? null : b;
            });
    assertFalse(acmeSees.path("operator").asBoolean());
    assertTrue(acmeSees.path("node").isNull(), acmeSees.toString());
    Set<String> names = new HashSet<>();
    for (JsonNode s : acmeSees.path("signals")) {
      names.add(s.path("name").asText());
      assertEquals("acme", s.path("dimension").path("tenant").asText(), s.toString());
      assertEquals("tenant", s.path("scope").asText());
    }
    assertEquals(
        Set.of(
            "ingest_rejection_rate",
            "ingest_rejected_events",
            "checkpoint_age_seconds",
            "verification_failed"),
        names);
    for (JsonNode c : acmeSees.path("catalog")) {
      assertFalse(c.path("name").asText().equals("queue_depth"), c.toString());
    }

    JsonNode operatorSees = node.get("/v1/alarms/signals", ADMIN_KEY).body();
    assertTrue(operatorSees.path("operator").asBoolean());
    Set<String> all = new HashSet<>();
    Set<String> tenants = new HashSet<>();
    for (JsonNode s : operatorSees.path("signals")) {
      all.add(s.path("name").asText());
      if (s.path("dimension").has("tenant")) {
        tenants.add(s.path("dimension").path("tenant").asText());
      }
    }
    assertTrue(
        all.containsAll(
            Set.of("queue_depth", "consumer_lag", "disk_free_bytes", "disk_free_percent")),
        all.toString());
    assertTrue(tenants.containsAll(Set.of("acme", "default")), tenants.toString());
  }
}
