package dev.vellum.http;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference design's payloads, valid and invalid, over HTTP. */
class CompatApiTest {
  @TempDir static Path dir;
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(dir);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private ObjectNode loginFailed() {
    ObjectNode b = node.json.createObjectNode();
    b.put("initiatorsystemcode", "DEMO_APP");
    b.put("eventtype", "LOGIN_FAILED");
    b.put("requestorid", "user-42");
    b.put("requestorip", "192.168.1.20");
    b.put("timestamp", Long.toString(System.currentTimeMillis() - 5_000));
    b.put("devicetype", "desktop");
    b.put("devicebrowsername", "Firefox");
    b.put("loginmethod", "PASSWORD");
    b.put("loginfailurecode", "INCORRECT_PASSWORD");
    b.put("loginpreviousfailedattempts", "2");
    b.putObject("location").put("country", "DE").put("city", "Berlin");
    return b;
  }

  @Test
  void storesReferencePayloadAndAnswersEventId() {
    Reply r = node.post("/v1/audit/store", ADMIN_KEY, loginFailed());
    assertEquals(200, r.status(), r.raw().body());
    String id = r.body().get("eventid").asText();
    JsonNode stored = node.get("/v1/events/" + id, ADMIN_KEY).body();
    assertEquals("LOGIN_FAILED", stored.get("type").asText());
    assertEquals("user-42", stored.get("actor").get("id").asText());
    assertEquals("192.168.1.20", stored.get("actor").get("ip").asText());
    assertEquals("DEMO_APP", stored.get("source").asText());
    assertEquals("failure", stored.get("outcome").asText());
  }

  @Test
  void documentPayloadMapsToDocumentTarget() {
    ObjectNode b = loginFailed();
    b.remove(java.util.List.of("loginmethod", "loginfailurecode", "loginpreviousfailedattempts"));
    b.put("eventtype", "DOCUMENT_DOWNLOADED");
    b.put("documentid", "doc-9");
    b.put("documenttype", "INSURANCE");
    Reply r = node.post("/v1/audit/store", ADMIN_KEY, b);
    assertEquals(200, r.status(), r.raw().body());
    JsonNode stored = node.get("/v1/events/" + r.body().get("eventid").asText(), ADMIN_KEY).body();
    assertEquals("doc-9", stored.get("targets").get(0).get("id").asText());
  }

  @Test
  void unknownFieldIs400NamingIt() {
    ObjectNode b = loginFailed();
    b.put("favouritecolour", "blue");
    Reply r = node.post("/v1/audit/store", ADMIN_KEY, b);
    assertEquals(400, r.status());
    assertEquals("application/problem+json", r.contentType());
    assertEquals("/favouritecolour", r.body().get("errors").get(0).get("pointer").asText());
  }

  @Test
  void badEnumerationIs400NamingTheField() {
    ObjectNode b = loginFailed();
    b.put("loginfailurecode", "BAD_LUCK");
    Reply r = node.post("/v1/audit/store", ADMIN_KEY, b);
    assertEquals(400, r.status());
    assertEquals("/loginfailurecode", r.body().get("errors").get(0).get("pointer").asText());
  }

  @Test
  void missingRequiredFieldsAreEachNamed() {
    ObjectNode b = loginFailed();
    b.remove("requestorip");
    b.remove("timestamp");
    Reply r = node.post("/v1/audit/store", ADMIN_KEY, b);
    assertEquals(400, r.status());
    String all = r.body().get("errors").toString();
    assertTrue(all.contains("/requestorip") && all.contains("/timestamp"), all);
  }

  @Test
  void nonIpv4RequestorIpIsRejected() {
    ObjectNode b = loginFailed();
    b.put("requestorip", "not-an-ip");
    assertEquals(400, node.post("/v1/audit/store", ADMIN_KEY, b).status());
  }

  @Test
  void unregisteredInitiatingSystemIsRejected() {
    ObjectNode b = loginFailed();
    b.put("initiatorsystemcode", "UNKNOWN_SYSTEM");
    Reply r = node.post("/v1/audit/store", ADMIN_KEY, b);
    assertEquals(400, r.status());
    assertEquals("/initiatorsystemcode", r.body().get("errors").get(0).get("pointer").asText());
  }

  @Test
  void batchReportsFailedPutCountPerRecord() {
    ObjectNode bad = loginFailed();
    bad.put("eventtype", "NOT_A_TYPE");
    ObjectNode body = node.json.createObjectNode();
    body.putArray("records").add(loginFailed()).add(bad).add(loginFailed());
    Reply r = node.post("/v1/audit/store-batch", ADMIN_KEY, body);
    assertEquals(200, r.status(), r.raw().body());
    assertEquals(1, r.body().get("FailedPutCount").asInt());
    JsonNode rr = r.body().get("RequestResponses");
    assertTrue(rr.get(0).has("RecordId"));
    assertEquals("ValidationError", rr.get(1).get("ErrorCode").asText());
    assertTrue(rr.get(2).has("RecordId"));
  }

  @Test
  void batchOver500RecordsIs413() {
    ObjectNode body = node.json.createObjectNode();
    var records = body.putArray("records");
    for (int i = 0; i < 501; i++) {
      records.add(loginFailed());
    }
    assertEquals(413, node.post("/v1/audit/store-batch", ADMIN_KEY, body).status());
  }
}
