package dev.vellum.notify;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.vellum.config.VellumConfig;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import jakarta.mail.BodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** E-mail channels against a real in-process SMTP server (GreenMail). */
@Timeout(120)
class EmailDeliveryTest {
  @RegisterExtension
  static GreenMailExtension smtp =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
          .withConfiguration(GreenMailConfiguration.aConfig().withUser("vellum", "s3cret"));

  @TempDir Path dir;
  private TestNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private TestNode start(String security, String password) {
    VellumConfig.Smtp server =
        new VellumConfig.Smtp(
            "127.0.0.1",
            smtp.getSmtp().getPort(),
            security,
            "vellum",
            password,
            null,
            "alerts@vellum.test");
    return TestNode.start(
        dir,
        c ->
            c.withNotify(
                NotificationsApiTest.fast(c.notifications(), List.of(), Duration.ofHours(1))
                    .withSmtp(server)));
  }

  private String emailChannel() {
    Reply r =
        node.post(
            "/v1/channels",
            ADMIN_KEY,
            "{\"type\":\"email\",\"to\":[\"soc@example.org\",\"Oncall <oncall@example.org>\"]}");
    assertEquals(201, r.status(), () -> r.raw().body());
    assertTrue(r.body().path("secret").isMissingNode(), "e-mail channels have no secret");
    return r.body().path("id").asText();
  }

  @Test
  void alertArrivesAsTextAndHtml() throws Exception {
    node = start("none", "s3cret");
    NotificationsApiTest.fire(node, "al_mail", emailChannel());
    NotificationsApiTest.deliveryWith(node, "delivered");
    assertEquals(2, smtp.getReceivedMessages().length, "a copy for each of the two recipients");
    MimeMessage m = smtp.getReceivedMessages()[0];
    assertEquals("[critical] Alert fired: Brute force (alert al_mail)", m.getSubject());
    assertEquals("alerts@vellum.test", m.getFrom()[0].toString());
    MimeMultipart parts = (MimeMultipart) m.getContent();
    assertTrue(parts.getContentType().startsWith("multipart/alternative"));
    BodyPart text = parts.getBodyPart(0);
    BodyPart html = parts.getBodyPart(1);
    assertTrue(text.isMimeType("text/plain"));
    assertTrue(html.isMimeType("text/html"));
    assertTrue(((String) text.getContent()).contains("5 failed logins within 60 s"));
    assertTrue(((String) html.getContent()).contains("<h2>[critical] Alert fired: Brute force"));
    JsonNode d = NotificationsApiTest.deliveryWith(node, "delivered");
    assertEquals(d.path("id").asText(), m.getHeader("Vellum-Delivery-Id")[0]);
    assertEquals("email", d.path("channel_type").asText());
  }

  @Test
  void wrongPasswordIsRetriedNotLost() {
    node = start("none", "wrong");
    NotificationsApiTest.fire(node, "al_auth", emailChannel());
    JsonNode d =
        NotificationsApiTest.eventually(
            "a failed attempt",
            () -> {
              JsonNode items = node.get("/v1/deliveries", ADMIN_KEY).body().get("deliveries");
              return items.size() > 0 && items.get(0).path("attempts").asInt() >= 1
                  ? items.get(0)
                  : null;
            });
    assertEquals("pending", d.path("status").asText(), d.toString());
    assertTrue(d.path("last_error").asText().startsWith("SMTP"), d.toString());
    assertEquals(0, smtp.getReceivedMessages().length);
  }

  @Test
  void requiredStartTlsIsNeverDowngraded() {
    node = start("starttls", "s3cret");
    NotificationsApiTest.fire(node, "al_tls", emailChannel());
    JsonNode d =
        NotificationsApiTest.eventually(
            "a failed attempt",
            () -> {
              JsonNode items = node.get("/v1/deliveries", ADMIN_KEY).body().get("deliveries");
              return items.size() > 0 && items.get(0).path("attempts").asInt() >= 1
                  ? items.get(0)
                  : null;
            });
    assertEquals("pending", d.path("status").asText(), d.toString());
    assertEquals(0, smtp.getReceivedMessages().length, "nothing sent in clear");
  }

  @Test
  void emailChannelsNeedAnSmtpServer() {
    node = TestNode.start(dir);
    Reply r = node.post("/v1/channels", ADMIN_KEY, "{\"type\":\"email\",\"to\":[\"a@b.org\"]}");
    assertEquals(422, r.status());
    assertEquals("/type", r.body().path("errors").get(0).path("pointer").asText());
    node.close();
    node = start("none", "s3cret");
    Reply bad =
        node.post("/v1/channels", ADMIN_KEY, "{\"type\":\"email\",\"to\":[\"not an address\"]}");
    assertEquals(422, bad.status());
    assertEquals("/to/0", bad.body().path("errors").get(0).path("pointer").asText());
  }
}
