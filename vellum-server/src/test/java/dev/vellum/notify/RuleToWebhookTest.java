package dev.vellum.notify;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path after the commit, with no seam faked: raw LOGIN_FAILED events are ingested, the
 * rules engine (a feed consumer) fires a threshold rule and records ALERT_FIRED in the log, the
 * notifier (another feed consumer) turns that event into a delivery, and the sender posts a signed
 * webhook to a real receiver on loopback.
 */
@Timeout(120)
class RuleToWebhookTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void aThresholdRuleFiringReachesASignedWebhookOnce() throws Exception {
    try (Receiver receiver = new Receiver();
        TestNode node =
            TestNode.start(
                dir,
                c ->
                    c.withNotify(
                        NotificationsApiTest.fast(
                            c.notifications(),
                            NotificationsApiTest.LOOPBACK,
                            Duration.ofMinutes(5))))) {
      JsonNode channel =
          NotificationsApiTest.createChannel(
              node, "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/soc") + "\"}");
      String rule =
          "{\"name\":\"Brute force\",\"severity\":\"critical\",\"pattern\":{\"type\":"
              + "[\"LOGIN_FAILED\"]},\"group_by\":[\"actor.id\"],\"threshold\":{\"count\":3,"
              + "\"window_seconds\":300},\"suppress_seconds\":600,\"actions\":{\"notify\":[\""
              + channel.path("id").asText()
              + "\"]}}";
      Reply created = node.post("/v1/rules", ADMIN_KEY, rule);
      assertEquals(201, created.status(), created.raw().body());

      ArrayNode batch = JSON.createArrayNode();
      Instant t = Instant.now().minusSeconds(10).truncatedTo(ChronoUnit.MILLIS);
      for (int i = 0; i < 5; i++) { // the 4th and 5th fall in the suppression period
        batch.add(failedLogin("mallory", t.plusMillis(i)));
      }
      Reply sent = node.post("/v1/events", ADMIN_KEY, batch);
      assertEquals(200, sent.status(), sent.raw().body());

      JsonNode delivery = NotificationsApiTest.deliveryWith(node, "delivered");
      assertEquals(1, receiver.received.size());
      Receiver.Request request = receiver.received.get(0);
      assertTrue(
          NotificationsApiTest.receiverAccepts(
              channel.path("secret").asText(), request.header("Vellum-Signature"), request.body()));
      JsonNode payload = JSON.readTree(request.body());
      assertEquals("ALERT_FIRED", payload.path("event_type").asText());
      assertEquals(created.body().path("id").asText(), payload.path("rule").path("id").asText());
      assertEquals(3, payload.path("trigger_event_ids").size());
      assertEquals(delivery.path("id").asText(), request.header("Vellum-Delivery-Id"));
      JsonNode alerts = node.get("/v1/alerts?status=firing", ADMIN_KEY).body().path("alerts");
      assertEquals(1, alerts.size(), alerts.toString());
      assertEquals(alerts.get(0).path("id").asText(), payload.path("alert_id").asText());
    }
  }

  private static ObjectNode failedLogin(String actor, Instant at) {
    ObjectNode e = JSON.createObjectNode();
    e.put("occurred_at", at.toString());
    e.put("source", "DEMO_APP");
    e.put("type", "LOGIN_FAILED");
    e.put("outcome", "failure");
    e.putObject("actor").put("type", "user").put("id", actor).put("ip", "203.0.113.9");
    e.putObject("metadata").put("login_failure_code", "INCORRECT_PASSWORD");
    return e;
  }
}
