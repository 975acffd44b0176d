package dev.vellum.notify;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.config.VellumConfig;
import dev.vellum.testing.Eventually;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Channels and deliveries end to end: a real node, alert events recorded through the same seam the
 * rules engine uses ({@code IngestService.recordSystemEvent}), and a real HTTP receiver on loopback
 * that checks signatures as a receiver would.
 */
@Timeout(120)
class NotificationsApiTest {
  static final List<String> LOOPBACK = List.of("127.0.0.1/32");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Receiver receiver;
  private TestNode node;

  @BeforeEach
  void receiver() throws Exception {
    receiver = new Receiver();
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    receiver.close();
  }

  /** Fast retries and polling for tests; {@code allow} is the address guard's allow-list. */
  static VellumConfig.Notify fast(VellumConfig.Notify d, List<String> allow, Duration retryFor) {
    return new VellumConfig.Notify(
        d.maxChannelsPerTenant(),
        retryFor,
        Duration.ofMillis(10),
        Duration.ofMillis(50),
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        4,
        2,
        Duration.ofMillis(50),
        allow,
        d.smtp());
  }

  private TestNode start(List<String> allow, Duration retryFor) {
    return TestNode.start(dir, c -> c.withNotify(fast(c.notifications(), allow, retryFor)));
  }

  static ObjectNode alert(String alertId, String... channels) {
    ObjectNode e = JSON.createObjectNode();
    e.put("type", "ALERT_FIRED").put("severity", "critical").put("outcome", "success");
    e.putObject("actor").put("type", "system").put("id", "rules");
    ObjectNode md = e.putObject("metadata");
    md.put("alert_id", alertId).put("rule_id", "r_brute_force").put("rule_name", "Brute force");
    md.put("alert_severity", "critical").put("description", "5 failed logins within 60 s");
    ArrayNode c = md.putArray("channels");
    for (String ch : channels) {
      c.add(ch);
    }
    md.putArray("trigger_event_ids").add("0190a000-0000-7000-8000-000000000001");
    md.putObject("group").put("actor.id", "alice");
    md.put("window_seconds", 60);
    return e;
  }

  static void fire(TestNode node, String alertId, String... channels) {
    node.node().ingest().recordSystemEvent("default", alert(alertId, channels));
  }

  static JsonNode createChannel(TestNode node, String body) {
    Reply r = node.post("/v1/channels", ADMIN_KEY, body);
    assertEquals(201, r.status(), () -> r.raw().body());
    return r.body();
  }

  static <T> T eventually(String what, Supplier<T> probe) {
    return Eventually.eventually(what, probe);
  }

  /** The one delivery of the tenant once it has {@code status}. */
  static JsonNode deliveryWith(TestNode node, String status) {
    return eventually(
        "a delivery with status " + status,
        () -> {
          JsonNode items =
              node.get("/v1/deliveries?status=" + status, ADMIN_KEY).body().get("deliveries");
          return items.size() > 0 ? items.get(0) : null;
        });
  }

  /** What a receiver does (docs/notifications.md): recompute the HMAC and bound the timestamp. */
  static boolean receiverAccepts(String secret, String header, byte[] body) throws Exception {
    long t = -1;
    String v1 = null;
    for (String part : header.split(",")) {
      if (part.startsWith("t=")) {
        t = Long.parseLong(part.substring(2));
      } else if (part.startsWith("v1=")) {
        v1 = part.substring(3);
      }
    }
    if (t < 0 || v1 == null || Math.abs(Instant.now().getEpochSecond() - t) > 300) {
      return false;
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
    byte[] expected = mac.doFinal(body);
    return java.security.MessageDigest.isEqual(expected, HexFormat.of().parseHex(v1));
  }

  @Test
  void webhookIsSignedAndCarriesTheDeliveryId() throws Exception {
    node = start(LOOPBACK, Duration.ofMinutes(5));
    JsonNode ch =
        createChannel(
            node,
            "{\"type\":\"webhook\",\"name\":\"SOC\",\"url\":\"" + receiver.url("/hook") + "\"}");
    String secret = ch.path("secret").asText();
    assertTrue(secret.startsWith("whsec_"), "secret shown on create");
    fire(node, "al_1", ch.path("id").asText());

    JsonNode d = deliveryWith(node, "delivered");
    assertEquals(1, receiver.received.size());
    Receiver.Request req = receiver.received.get(0);
    assertEquals("/hook", req.path());
    assertTrue(receiverAccepts(secret, req.header("Vellum-Signature"), req.body()));
    assertFalse(
        receiverAccepts(
            secret,
            req.header("Vellum-Signature"),
            (req.text() + " ").getBytes(StandardCharsets.UTF_8)),
        "a changed body fails");
    assertFalse(receiverAccepts("whsec_other", req.header("Vellum-Signature"), req.body()));
    assertEquals(d.path("id").asText(), req.header("Vellum-Delivery-Id"));
    JsonNode payload = JSON.readTree(req.body());
    assertEquals("1", payload.path("version").asText());
    assertEquals("ALERT_FIRED", payload.path("event_type").asText());
    assertEquals("al_1", payload.path("alert_id").asText());
    assertEquals("r_brute_force", payload.path("rule").path("id").asText());
    assertEquals("Brute force", payload.path("rule").path("name").asText());
    assertEquals("critical", payload.path("severity").asText());
    assertEquals("default", payload.path("tenant").asText());
    assertEquals(
        "0190a000-0000-7000-8000-000000000001", payload.path("trigger_event_ids").get(0).asText());
    assertEquals(1, d.path("attempts").asInt());
    assertEquals(200, d.path("last_status").asInt());
  }

  @Test
  void secretIsNeverReturnedAfterCreate() {
    node = start(LOOPBACK, Duration.ofMinutes(5));
    JsonNode ch =
        createChannel(node, "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/") + "\"}");
    String id = ch.path("id").asText();
    String secret = ch.path("secret").asText();
    Reply list = node.get("/v1/channels", ADMIN_KEY);
    assertEquals(200, list.status());
    assertEquals(1, list.body().path("channels").size());
    assertFalse(list.raw().body().contains(secret));
    Reply one = node.get("/v1/channels/" + id, ADMIN_KEY);
    assertEquals(200, one.status());
    assertFalse(one.body().has("secret"));
    assertEquals(receiver.url("/"), one.body().path("url").asText());
  }

  @Test
  void retriesAfterServerErrorsWithTheSameDeliveryId() {
    receiver.then(500, Map.of()).then(502, Map.of()).always(200);
    node = start(LOOPBACK, Duration.ofMinutes(5));
    JsonNode ch =
        createChannel(node, "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/") + "\"}");
    fire(node, "al_retry", ch.path("id").asText());
    JsonNode d = deliveryWith(node, "delivered");
    assertEquals(3, d.path("attempts").asInt());
    assertEquals(3, receiver.received.size());
    Set<String> ids = new TreeSet<>();
    receiver.received.forEach(r -> ids.add(r.header("Vellum-Delivery-Id")));
    assertEquals(Set.of(d.path("id").asText()), ids);
    assertEquals("3", receiver.received.get(2).header("Vellum-Attempt"));
  }

  @Test
  void honoursRetryAfter() {
    receiver.then(503, Map.of("Retry-After", "3600"));
    node = start(LOOPBACK, Duration.ofHours(24));
    JsonNode ch =
        createChannel(node, "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/") + "\"}");
    fire(node, "al_later", ch.path("id").asText());
    JsonNode d =
        eventually(
            "a failed attempt",
            () -> {
              JsonNode items = node.get("/v1/deliveries", ADMIN_KEY).body().get("deliveries");
              return items.size() > 0 && items.get(0).path("attempts").asInt() == 1
                  ? items.get(0)
                  : null;
            });
    assertEquals("pending", d.path("status").asText());
    assertEquals(503, d.path("last_status").asInt());
    Duration wait =
        Duration.between(
            Instant.parse(d.path("last_attempt_at").asText()),
            Instant.parse(d.path("next_attempt_at").asText()));
    // the configured backoff is at most 50 ms: only the receiver's Retry-After explains an hour
    assertTrue(wait.compareTo(Duration.ofSeconds(3599)) >= 0, "waits as asked: " + wait);
  }

  @Test
  void clientErrorIsDeadAtOnce() {
    receiver.always(400);
    node = start(LOOPBACK, Duration.ofMinutes(5));
    JsonNode ch =
        createChannel(node, "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/") + "\"}");
    fire(node, "al_bad", ch.path("id").asText());
    JsonNode d = deliveryWith(node, "dead");
    assertEquals(1, d.path("attempts").asInt());
    assertEquals(400, d.path("last_status").asInt());
    assertTrue(d.path("dead_reason").asText().startsWith("permanent failure: HTTP 400"));
    assertEquals(1, receiver.received.size());
  }

  @Test
  void exhaustedRetriesGoDeadAndReplayDelivers() {
    receiver.always(500);
    node = start(LOOPBACK, Duration.ofMillis(300));
    JsonNode ch =
        createChannel(node, "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/") + "\"}");
    fire(node, "al_dead", ch.path("id").asText());
    JsonNode dead = deliveryWith(node, "dead");
    assertTrue(dead.path("dead_reason").asText().startsWith("retries exhausted"), dead.toString());
    assertTrue(dead.path("attempts").asInt() >= 2, "retried before giving up");
    int attempts = receiver.received.size();
    assertEquals(
        0, node.get("/v1/deliveries?status=pending", ADMIN_KEY).body().get("deliveries").size());

    receiver.always(200);
    String id = dead.path("id").asText();
    Reply replay = node.post("/v1/deliveries/" + id + "/replay", ADMIN_KEY, "");
    assertEquals(202, replay.status(), () -> replay.raw().body());
    JsonNode delivered = deliveryWith(node, "delivered");
    assertEquals(id, delivered.path("id").asText());
    assertEquals(1, delivered.path("replays").asInt());
    assertEquals(attempts + 1, receiver.received.size());
    assertEquals(id, receiver.received.get(attempts).header("Vellum-Delivery-Id"));
    assertEquals(404, node.post("/v1/deliveries/nope/replay", ADMIN_KEY, "").status());
  }

  @Test
  void refusesInternalTargetsUnlessAllowListed() {
    node = start(List.of(), Duration.ofMinutes(5));
    for (String url :
        List.of(
            "http://127.0.0.1:9/x",
            "http://localhost:9/x",
            "http://[::1]:9/x",
            "http://10.1.2.3/x",
            "http://172.20.0.1/x",
            "http://192.168.1.1/x",
            "http://100.64.0.1/x",
            "http://169.254.169.254/latest/meta-data/",
            "http://0.0.0.0/x",
            "http://[fd00::1]/x")) {
      Reply r =
          node.post("/v1/channels", ADMIN_KEY, "{\"type\":\"webhook\",\"url\":\"" + url + "\"}");
      assertEquals(422, r.status(), url);
      assertTrue(r.contentType().startsWith("application/problem+json"), url);
      assertEquals("/url", r.body().path("errors").get(0).path("pointer").asText(), url);
    }
    assertEquals(0, node.get("/v1/channels", ADMIN_KEY).body().path("channels").size());
  }

  @Test
  void sendTimeCheckRefusesATargetNoLongerAllowed() {
    node = start(LOOPBACK, Duration.ofMinutes(5));
    JsonNode ch =
        createChannel(node, "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/") + "\"}");
    node.close();
    node = start(List.of(), Duration.ofMinutes(5));
    fire(node, "al_guard", ch.path("id").asText());
    JsonNode d = deliveryWith(node, "dead");
    assertTrue(d.path("dead_reason").asText().contains("address guard"), d.toString());
    assertTrue(d.path("dead_reason").asText().contains("loopback"), d.toString());
    assertEquals(0, receiver.received.size(), "nothing reached the refused address");
  }

  @Test
  void slackAndTeamsGetTheirIncomingWebhookFormats() throws Exception {
    node = start(LOOPBACK, Duration.ofMinutes(5));
    String slack =
        createChannel(node, "{\"type\":\"slack\",\"url\":\"" + receiver.url("/slack") + "\"}")
            .path("id")
            .asText();
    String teams =
        createChannel(node, "{\"type\":\"teams\",\"url\":\"" + receiver.url("/teams") + "\"}")
            .path("id")
            .asText();
    String legacy =
        createChannel(
                node,
                "{\"type\":\"teams\",\"card\":\"message_card\",\"url\":\""
                    + receiver.url("/legacy")
                    + "\"}")
            .path("id")
            .asText();
    fire(node, "al_chat", slack, teams, legacy);
    eventually("three deliveries", () -> receiver.received.size() == 3 ? true : null);
    for (Receiver.Request r : receiver.received) {
      JsonNode p = JSON.readTree(r.body());
      assertNull(r.header("Vellum-Signature"), "chat webhooks are not signed");
      switch (r.path()) {
        case "/slack":
          assertTrue(p.path("text").asText().contains("Brute force"));
          assertEquals("header", p.path("blocks").get(0).path("type").asText());
          assertEquals("mrkdwn", p.path("blocks").get(1).path("text").path("type").asText());
          break;
        case "/teams":
          assertEquals("message", p.path("type").asText());
          JsonNode a = p.path("attachments").get(0);
          assertEquals("application/vnd.microsoft.card.adaptive", a.path("contentType").asText());
          assertEquals("AdaptiveCard", a.path("content").path("type").asText());
          assertTrue(
              a.path("content").path("body").get(0).path("text").asText().contains("Brute force"));
          break;
        default:
          assertEquals("/legacy", r.path());
          assertEquals("MessageCard", p.path("@type").asText());
          assertTrue(p.path("summary").asText().contains("Brute force"));
      }
    }
  }

  @Test
  void theSameAlertRecordedTwiceMakesOneDelivery() throws Exception {
    node = start(LOOPBACK, Duration.ofMinutes(5));
    String ch =
        createChannel(node, "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/") + "\"}")
            .path("id")
            .asText();
    fire(node, "al_twice", ch);
    deliveryWith(node, "delivered");
    fire(node, "al_twice", ch);
    fire(node, "al_other", ch);
    eventually("the second alert's delivery", () -> receiver.received.size() >= 2 ? true : null);
    // the feed hands the re-recorded event over like a re-delivered batch: same delivery id, kept
    Thread.sleep(300);
    assertEquals(2, node.get("/v1/deliveries", ADMIN_KEY).body().get("deliveries").size());
    assertEquals(2, receiver.received.size());
  }

  @Test
  void pendingDeliveriesAreSentAfterRestart() {
    receiver.always(503);
    node = start(LOOPBACK, Duration.ofHours(1));
    String ch =
        createChannel(node, "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/") + "\"}")
            .path("id")
            .asText();
    fire(node, "al_restart", ch);
    JsonNode pending =
        eventually(
            "a failed attempt",
            () -> {
              JsonNode items =
                  node.get("/v1/deliveries?status=pending", ADMIN_KEY).body().get("deliveries");
              return items.size() > 0 && items.get(0).path("attempts").asInt() >= 1
                  ? items.get(0)
                  : null;
            });
    node.close();
    node = null;
    receiver.always(200);
    int before = receiver.received.size();
    node = start(LOOPBACK, Duration.ofHours(1));
    JsonNode d = deliveryWith(node, "delivered");
    assertEquals(pending.path("id").asText(), d.path("id").asText());
    assertEquals(
        pending.path("id").asText(),
        receiver.received.get(receiver.received.size() - 1).header("Vellum-Delivery-Id"));
    assertTrue(receiver.received.size() > before);
  }

  @Test
  void channelChangesNeedAdminAndAreRecordedWithoutTheSecret() {
    node = start(LOOPBACK, Duration.ofMinutes(5));
    String reader =
        node.post("/v1/keys", ADMIN_KEY, "{\"name\":\"reader\",\"scopes\":[\"events:read\"]}")
            .body()
            .path("api_key")
            .asText();
    String body = "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/") + "\"}";
    assertEquals(403, node.post("/v1/channels", reader, body).status());
    JsonNode ch = createChannel(node, body);
    String id = ch.path("id").asText();
    assertEquals(200, node.get("/v1/channels", reader).status());
    assertEquals(403, node.send("DELETE", "/v1/channels/" + id, reader, null, null).status());
    assertEquals(401, node.get("/v1/channels", null).status());
    assertEquals(204, node.send("DELETE", "/v1/channels/" + id, ADMIN_KEY, null, null).status());
    assertEquals(404, node.get("/v1/channels/" + id, ADMIN_KEY).status());
    String[] last = {""};
    JsonNode events;
    try {
      events =
          eventually(
              "two CONFIGURATION_CHANGED events for the channel",
              () -> {
                Reply r =
                    node.get(
                        "/v1/events?type=CONFIGURATION_CHANGED&target_type=channel&target_id=" + id,
                        ADMIN_KEY);
                last[0] = r.status() + " " + r.raw().body();
                return r.status() == 200 && r.body().path("events").size() == 2 ? r.body() : null;
              });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last answer: " + last[0], e);
    }
    assertFalse(
        events.toString().contains(ch.path("secret").asText()), "the secret never enters the log");
    assertTrue(events.toString().contains("\"channels\""));
  }

  @Test
  void deliveriesPageWithACursor() {
    node = start(LOOPBACK, Duration.ofMinutes(5));
    String[] ids = new String[3];
    for (int i = 0; i < 3; i++) {
      ids[i] =
          createChannel(node, "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/" + i) + "\"}")
              .path("id")
              .asText();
    }
    fire(node, "al_page", ids);
    // the receiver answers before the sender records the outcome: wait for the records
    eventually(
        "three delivered",
        () ->
            node.get("/v1/deliveries?status=delivered", ADMIN_KEY).body().get("deliveries").size()
                    == 3
                ? true
                : null);
    Reply first = node.get("/v1/deliveries?status=delivered&limit=2", ADMIN_KEY);
    assertEquals(2, first.body().path("deliveries").size());
    String cursor = first.body().path("next_cursor").asText();
    assertFalse(cursor.isEmpty());
    Reply second = node.get("/v1/deliveries?status=delivered&limit=2&cursor=" + cursor, ADMIN_KEY);
    assertEquals(1, second.body().path("deliveries").size());
    assertTrue(second.body().path("next_cursor").isNull());
    Set<String> seen = new TreeSet<>();
    first.body().path("deliveries").forEach(d -> seen.add(d.path("id").asText()));
    second.body().path("deliveries").forEach(d -> seen.add(d.path("id").asText()));
    assertEquals(3, seen.size());
    assertEquals(400, node.get("/v1/deliveries?status=lost", ADMIN_KEY).status());
    assertEquals(400, node.get("/v1/deliveries?limit=0", ADMIN_KEY).status());
    assertEquals(400, node.get("/v1/deliveries?cursor=%25%25", ADMIN_KEY).status());
    assertEquals(400, node.get("/v1/deliveries?colour=red", ADMIN_KEY).status());
    assertNotNull(first.body().path("deliveries").get(0).path("channel_type").asText());
  }

  @Test
  void anAlertReachesOnlyChannelsOfItsOwnTenant() {
    node = start(LOOPBACK, Duration.ofMinutes(5));
    String defaults =
        createChannel(node, "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/") + "\"}")
            .path("id")
            .asText();
    Reply acme = node.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"acme\"}");
    assertEquals(201, acme.status(), () -> acme.raw().body());
    String acmeKey = acme.body().path("api_key").asText();
    node.node().ingest().recordSystemEvent("acme", alert("al_cross", defaults));
    JsonNode d =
        eventually(
            "acme's dead delivery",
            () -> {
              JsonNode items =
                  node.get("/v1/deliveries?status=dead", acmeKey).body().get("deliveries");
              return items.size() > 0 ? items.get(0) : null;
            });
    assertTrue(d.path("dead_reason").asText().contains("no channel " + defaults), d.toString());
    assertEquals(0, receiver.received.size());
    assertEquals(0, node.get("/v1/deliveries", ADMIN_KEY).body().get("deliveries").size());
    assertEquals(0, node.get("/v1/channels", acmeKey).body().path("channels").size());
  }
}
