package dev.vellum.notify;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.app.VellumNode;
import dev.vellum.config.VellumConfig;
import dev.vellum.feed.FeedSettings;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.FeedEvent;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-alarms end to end, with real signals and no seam faked: the node's own sampler reads them,
 * an alarm rule fires through the rules engine's alerts, the notifier delivers a signed webhook to
 * a real receiver on loopback, and the RESOLVED follows when the signal clears.
 */
@Timeout(180)
class AlarmToWebhookTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  private final Receiver receiver;
  private TestNode node;

  AlarmToWebhookTest() throws IOException {
    receiver = new Receiver();
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    receiver.close();
  }

  private TestNode start(UnaryOperator<VellumConfig> more, List<FeedConsumer> consumers) {
    node =
        TestNode.start(
            dir,
            c ->
                more.apply(
                    c.withNotify(
                            NotificationsApiTest.fast(
                                c.notifications(),
                                NotificationsApiTest.LOOPBACK,
                                Duration.ofMinutes(5)))
                        .withAlarms(
                            new VellumConfig.Alarms(
                                Duration.ofMillis(250),
                                Duration.ofSeconds(2),
                                List.of("default")))),
            new VellumNode.Extensions(
                UnaryOperator.identity(),
                UnaryOperator.identity(),
                consumers,
                FeedSettings.defaults()));
    return node;
  }

  private JsonNode channel() {
    return NotificationsApiTest.createChannel(
        node, "{\"type\":\"webhook\",\"url\":\"" + receiver.url("/ops") + "\"}");
  }

  private String alarm(String name, String signal, JsonNode channel) {
    Reply r =
        node.post(
            "/v1/rules",
            ADMIN_KEY,
            "{\"name\":\""
                + name
                + "\",\"severity\":\"critical\",\"signal\":"
                + signal
                + ",\"suppress_seconds\":0,\"actions\":{\"notify\":[\""
                + channel.path("id").asText()
                + "\"]}}");
    assertEquals(201, r.status(), r.raw().body());
    return r.body().path("id").asText();
  }

  /** The webhook payloads of one event type and rule, as received so far. */
  private List<JsonNode> received(String eventType, String ruleId) {
    List<JsonNode> out = new ArrayList<>();
    for (Receiver.Request r : receiver.received) {
      try {
        JsonNode p = JSON.readTree(r.body());
        if (eventType.equals(p.path("event_type").asText())
            && ruleId.equals(p.path("rule").path("id").asText())) {
          out.add(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  private JsonNode awaitWebhook(String eventType, String ruleId) {
    return NotificationsApiTest.eventually(
        eventType + " of " + ruleId + " at the receiver",
        () -> {
          List<JsonNode> got = received(eventType, ruleId);
          return got.isEmpty() ? null : got.get(0);
        });
  }

  private void assertSigned(JsonNode channel, JsonNode payload) throws Exception {
    for (Receiver.Request r : receiver.received) {
      if (payload.equals(JSON.readTree(r.body()))) {
        assertTrue(
            NotificationsApiTest.receiverAccepts(
                channel.path("secret").asText(), r.header("Vellum-Signature"), r.body()));
        return;
      }
    }
    throw new AssertionError("no request with " + payload);
  }

  @Test
  void aRejectionRateAboveItsThresholdForTheWholeDurationNotifiesThenResolvesWhenItClears()
      throws Exception {
    start(c -> c, List.of());
    JsonNode channel = channel();
    String rule =
        alarm(
            "Rejections",
            "{\"name\":\"ingest_rejection_rate\",\"op\":\">\",\"value\":0.5,\"for\":\"1s\"}",
            channel);
    // events that fail validation (no occurred_at, unknown outcome), sent until the alarm fires
    String invalid =
        "[{\"source\":\"DEMO_APP\",\"type\":\"LOGIN_FAILED\",\"outcome\":\"maybe\","
            + "\"actor\":{\"type\":\"user\",\"id\":\"x\"}}]";
    JsonNode fired =
        NotificationsApiTest.eventually(
            "the rejection alarm",
            () -> {
              node.post("/v1/events", ADMIN_KEY, invalid);
              List<JsonNode> got = received("ALERT_FIRED", rule);
              return got.isEmpty() ? null : got.get(0);
            });
    assertSigned(channel, fired);
    assertEquals("critical", fired.path("severity").asText());
    JsonNode signal = fired.path("signal");
    assertEquals("ingest_rejection_rate", signal.path("name").asText(), fired.toString());
    assertEquals("default", signal.path("dimension").path("tenant").asText());
    assertTrue(signal.path("observed").asDouble() > 0.5, signal.toString());
    assertEquals(1, signal.path("for_seconds").asInt());
    assertEquals("default", fired.path("group").path("tenant").asText());
    assertTrue(fired.path("group").has("node"), "a node signal names the node: " + fired);

    // nothing more is sent: the window empties, the rate falls to 0 and the alarm resolves
    JsonNode resolved = awaitWebhook("ALERT_RESOLVED", rule);
    assertEquals(fired.path("alert_id").asText(), resolved.path("alert_id").asText());
    assertEquals(0.0, resolved.path("signal").path("observed").asDouble(), resolved.toString());
    assertEquals(1, received("ALERT_FIRED", rule).size(), "one incident, one notification");
    // the ALERT_RESOLVED event is recorded before the alert record flips: wait for the flip
    JsonNode alert =
        NotificationsApiTest.eventually(
            "the alert record resolved",
            () -> {
              JsonNode a =
                  node.get("/v1/alerts/" + fired.path("alert_id").asText(), ADMIN_KEY).body();
              return a.path("status").asText().equals("resolved") ? a : null;
            });
    assertEquals("ingest_rejection_rate", alert.path("signal").path("name").asText());
  }

  /** A consumer that handles nothing until released: its lag grows with every commit. */
  static final class StalledConsumer implements FeedConsumer {
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public String name() {
      return "stalled";
    }

    @Override
    public void accept(List<FeedEvent> events) throws InterruptedException {
      release.await();
    }
  }

  @Test
  void aLaggingConsumerRaisesTheOperatorsAlarmUntilItCatchesUp() throws Exception {
    StalledConsumer stalled = new StalledConsumer();
    try {
      start(c -> c, List.of(stalled));
      JsonNode channel = channel();
      String rule =
          alarm(
              "Stalled consumer",
              "{\"name\":\"consumer_lag\",\"dimension\":{\"consumer\":\"stalled\"},"
                  + "\"op\":\">\",\"value\":5,\"for\":\"1s\"}",
              channel);
      var batch = JSON.createArrayNode();
      for (int i = 0; i < 10; i++) {
        batch.add(node.loginEvent("user-" + i));
      }
      Reply sent = node.post("/v1/events", ADMIN_KEY, batch);
      assertEquals(200, sent.status(), sent.raw().body());
      JsonNode fired = awaitWebhook("ALERT_FIRED", rule);
      assertSigned(channel, fired);
      assertEquals("stalled", fired.path("signal").path("dimension").path("consumer").asText());
      assertTrue(fired.path("signal").path("observed").asDouble() > 5, fired.toString());
      assertEquals("stalled", fired.path("group").path("consumer").asText());

      stalled.release.countDown();
      JsonNode resolved = awaitWebhook("ALERT_RESOLVED", rule);
      assertEquals(fired.path("alert_id").asText(), resolved.path("alert_id").asText());
      assertTrue(resolved.path("signal").path("observed").asDouble() <= 5, resolved.toString());
    } finally {
      stalled.release.countDown();
    }
  }

  /** A consumer whose every delivery fails until released, as an unverifiable upload would. */
  static final class FailingConsumer implements FeedConsumer {
    volatile boolean failing = true;

    @Override
    public String name() {
      return "uploader";
    }

    @Override
    public void accept(List<FeedEvent> events) throws IOException {
      if (failing) {
        throw new IOException("the uploaded object read back with another SHA-256");
      }
    }
  }

  @Test
  void aConsumerRetryingAFailureRaisesTheOperatorsAlarmUntilItSucceeds() throws Exception {
    FailingConsumer uploader = new FailingConsumer();
    start(c -> c, List.of(uploader));
    JsonNode channel = channel();
    String rule =
        alarm(
            "Uploads failing",
            "{\"name\":\"consumer_failing\",\"dimension\":{\"consumer\":\"uploader\"},"
                + "\"op\":\">=\",\"value\":1,\"for\":\"1s\"}",
            channel);
    Reply sent =
        node.post("/v1/events", ADMIN_KEY, JSON.createArrayNode().add(node.loginEvent("u")));
    assertEquals(200, sent.status(), sent.raw().body());
    JsonNode fired = awaitWebhook("ALERT_FIRED", rule);
    assertEquals("uploader", fired.path("group").path("consumer").asText());
    assertEquals(1.0, fired.path("signal").path("observed").asDouble(), fired.toString());

    uploader.failing = false;
    JsonNode resolved = awaitWebhook("ALERT_RESOLVED", rule);
    assertEquals(fired.path("alert_id").asText(), resolved.path("alert_id").asText());
  }

  @Test
  void diskSpaceBelowAThresholdAboveTheRealFreeSpaceFiresAndAnEditThatClearsItResolves() {
    start(c -> c, List.of());
    JsonNode channel = channel();
    String rule =
        alarm("Disk", "{\"name\":\"disk_free_bytes\",\"op\":\"<\",\"value\":1e17}", channel);
    JsonNode fired = awaitWebhook("ALERT_FIRED", rule);
    double free = fired.path("signal").path("observed").asDouble();
    assertTrue(free > 0 && free < 1e17, fired.toString());
    Reply edited =
        node.put(
            "/v1/rules/" + rule,
            ADMIN_KEY,
            "{\"name\":\"Disk\",\"signal\":{\"name\":\"disk_free_bytes\",\"op\":\"<\",\"value\":1},"
                + "\"actions\":{\"notify\":[\""
                + channel.path("id").asText()
                + "\"]}}");
    assertEquals(200, edited.status(), edited.raw().body());
    JsonNode resolved = awaitWebhook("ALERT_RESOLVED", rule);
    assertEquals(fired.path("alert_id").asText(), resolved.path("alert_id").asText());
  }

  @Test
  void eventsLeftUnsignedByASlowCheckpointerRaiseTheCheckpointAgeAlarmUntilSigned() {
    start(c -> withCheckpointInterval(c, Duration.ofSeconds(15)), List.of());
    JsonNode channel = channel();
    String rule =
        alarm(
            "Checkpoint age",
            "{\"name\":\"checkpoint_age_seconds\",\"op\":\">\",\"value\":2,\"for\":\"1s\"}",
            channel);
    Reply sent = node.post("/v1/events", ADMIN_KEY, "[" + node.loginEvent("carol") + "]");
    assertEquals(200, sent.status(), sent.raw().body());
    JsonNode fired = awaitWebhook("ALERT_FIRED", rule);
    assertTrue(fired.path("signal").path("observed").asDouble() > 2, fired.toString());
    assertTrue(!fired.path("group").has("node"), "a cluster signal is not per node: " + fired);
    JsonNode resolved = awaitWebhook("ALERT_RESOLVED", rule);
    assertEquals(0.0, resolved.path("signal").path("observed").asDouble(), resolved.toString());
  }

  private static VellumConfig withCheckpointInterval(VellumConfig c, Duration interval) {
    return new VellumConfig(
        c.host(),
        c.port(),
        c.dataDir(),
        c.logName(),
        c.ingest(),
        c.rateLimit(),
        interval,
        c.bootstrapKey(),
        c.http(),
        c.storage(),
        c.logKey(),
        c.archive(),
        c.notifications(),
        c.alarms());
  }

  @Test
  void aTamperedStoredTileFailsTheLogSelfCheckAndRaisesTheVerificationAlarm() throws Exception {
    start(c -> c, List.of());
    JsonNode channel = channel();
    String rule =
        alarm(
            "Log integrity",
            "{\"name\":\"verification_failed\",\"op\":\">\",\"value\":0}",
            channel);
    var batch = JSON.createArrayNode();
    for (int i = 0; i < 5; i++) {
      batch.add(node.loginEvent("dave-" + i));
    }
    assertEquals(200, node.post("/v1/events", ADMIN_KEY, batch).status());
    long size = node.node().store().nextSeq("default");
    NotificationsApiTest.eventually(
        "a verified checkpoint covering the events",
        () -> {
          boolean covered =
              node.node().store().latestCheckpoint("default").orElseThrow().treeSize() >= size;
          return covered && metric("vellum_log_verifications_total") > 0 ? true : null;
        });
    assertEquals(0.0, metric("vellum_log_verification_failures_total"));

    // flip a byte of the first leaf hash of the stored tile, behind the server's back
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:sqlite:" + dir.resolve("vellum.db") + "?busy_timeout=5000");
        PreparedStatement st =
            c.prepareStatement(
                "UPDATE log_tiles SET hashes = (CASE WHEN substr(hashes, 1, 1) = x'00'"
                    + " THEN x'01' ELSE x'00' END) || substr(hashes, 2)"
                    + " WHERE tenant = 'default' AND level = 0 AND idx = 0")) {
      assertEquals(1, st.executeUpdate());
    }
    JsonNode fired = awaitWebhook("ALERT_FIRED", rule);
    assertSigned(channel, fired);
    assertEquals("verification_failed", fired.path("signal").path("name").asText());
    assertEquals(1.0, fired.path("signal").path("observed").asDouble(), fired.toString());
    assertTrue(metric("vellum_log_verification_failures_total") >= 1);
  }

  private double metric(String name) {
    Reply r = node.get("/metrics", ADMIN_KEY);
    for (String line : r.raw().body().split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }
}
