package dev.vellum.http;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.compat.ReferenceMapper;
import dev.vellum.testing.TestNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/reference-compatibility.md as a tested statement: a producer written for the reference AWS
 * design sends every reference event type the way its clients do (API key in {@code x-api-key},
 * flat lower-case body, epoch-millisecond timestamp as a string) and reads {@code auditId} from the
 * answer; each event is then stored and found by search.
 */
class ReferenceProducerTest {
  /** The reference's own initiating-system code (SupportedInitiatorSystemCodes). */
  private static final String SOURCE = "ABC_DE_WEB";

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static TestNode node;
  static String producerKey;

  @BeforeAll
  static void start() {
    node = TestNode.start(dir);
    assertEquals(200, node.put("/v1/sources/" + SOURCE, ADMIN_KEY, "{}").status());
    TestNode.Reply key =
        node.post(
            "/v1/keys",
            ADMIN_KEY,
            "{\"name\":\"reference producer\","
                + "\"scopes\":[\"events:write\"],\"sources\":[\""
                + SOURCE
                + "\"]}");
    assertEquals(201, key.status(), key.raw().body());
    producerKey = key.body().get("api_key").asText();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** A flat body as the reference's clients build it for {@code type}. */
  private static ObjectNode flatBody(String type, String user) {
    ObjectNode b = JSON.createObjectNode();
    b.put("initiatorsystemcode", SOURCE);
    b.put("eventtype", type);
    b.put("requestorid", user);
    b.put("requestorip", "198.51.100.23");
    b.put("timestamp", Long.toString(System.currentTimeMillis() - 60_000));
    b.put("devicetype", "desktop");
    b.put("devicebrowsername", "Firefox");
    if (type.startsWith("DOCUMENT_") || type.startsWith("VERIFICATION_")) {
      b.put("documentid", "DOC-" + user);
      b.put("documenttype", "insurance"); // the reference's document types are lower case
    }
    if (type.startsWith("OTP_")) {
      b.put("otppurpose", "LOGIN").put("otpmedium", "EMAIL");
    }
    if (type.startsWith("LOGIN_")) {
      b.put("loginmethod", "PASSWORD");
    }
    if (type.startsWith("SESSION_")) {
      b.put("sessionid", "s-" + user);
    }
    return b;
  }

  private static HttpResponse<String> postWithApiKeyHeader(String path, String body)
      throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(node.url(path)))
            .timeout(Duration.ofSeconds(30))
            .header("x-api-key", producerKey)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyReferenceEventTypeIsAcceptedWithXApiKeyAnsweredWithAuditIdAndSearchable()
      throws Exception {
    Map<String, String> ids = new LinkedHashMap<>();
    for (String type : ReferenceMapper.EVENT_TYPES) {
      String user = "ref-" + type.toLowerCase();
      HttpResponse<String> r =
          postWithApiKeyHeader("/v1/audit/store", flatBody(type, user).toString());
      assertEquals(200, r.statusCode(), type + ": " + r.body());
      JsonNode answer = JSON.readTree(r.body());
      assertNotNull(answer.get("auditId"), type + ": " + r.body());
      ids.put(type, answer.get("auditId").asText());
    }
    for (Map.Entry<String, String> e : ids.entrySet()) {
      JsonNode stored = node.get("/v1/events/" + e.getValue(), ADMIN_KEY).body();
      assertEquals(e.getKey(), stored.get("type").asText());
      assertEquals(SOURCE, stored.get("source").asText());
    }
    // search is fed by a background indexer: poll until every event is found, by type and actor
    for (Map.Entry<String, String> e : ids.entrySet()) {
      String q =
          "/v1/events?type="
              + e.getKey()
              + "&actor_id="
              + URLEncoder.encode("ref-" + e.getKey().toLowerCase(), StandardCharsets.UTF_8);
      assertTrue(
          eventually(
              () -> node.get(q, ADMIN_KEY).body().path("events").toString().contains(e.getValue())),
          "not searchable: " + e.getKey());
    }
  }

  @Test
  void lowerCaseDocumentTypeIsStoredAsTheCatalogueValue() throws Exception {
    HttpResponse<String> r =
        postWithApiKeyHeader(
            "/v1/audit/store",
            flatBody("DOCUMENT_DOWNLOADED", "doc-reader")
                .put("documenttype", "billing")
                .toString());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode stored =
        node.get("/v1/events/" + JSON.readTree(r.body()).get("auditId").asText(), ADMIN_KEY).body();
    assertEquals("BILLING", stored.at("/metadata/document_type").asText());
  }

  @Test
  void roleAssignedWithoutARoleNameStillValidates() throws Exception {
    // the reference's flat payload has no field for the role: the mapped event must still pass
    HttpResponse<String> r =
        postWithApiKeyHeader("/v1/audit/store", flatBody("ROLE_ASSIGNED", "new-admin").toString());
    assertEquals(200, r.statusCode(), r.body());
  }

  @Test
  void batchEndpointAcceptsTheXApiKeyHeaderToo() throws Exception {
    String body =
        "{\"records\":["
            + flatBody("LOGIN_SUCCESSFUL", "batch-1")
            + ","
            + flatBody("PASSWORD_RESET_REQUESTED", "batch-2")
            + "]}";
    HttpResponse<String> r = postWithApiKeyHeader("/v1/audit/store-batch", body);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(0, JSON.readTree(r.body()).get("FailedPutCount").asInt(), r.body());
  }

  @Test
  void unknownXApiKeyIs401Problem() throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(node.url("/v1/audit/store")))
            .header("x-api-key", "vk_not_a_key")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(flatBody("LOGIN_FAILED", "x").toString()))
            .build();
    HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    assertEquals(401, r.statusCode());
    assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
  }

  private static boolean eventually(java.util.function.BooleanSupplier check)
      throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (check.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return check.getAsBoolean();
  }
}
