package dev.vellum.http;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.config.VellumConfig;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys, scopes, tenants and isolation. */
class AuthApiTest {
  @TempDir static Path dir;
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(dir, c -> c.withRateLimit(new VellumConfig.RateLimit(1_000, 100_000)));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private String createKey(String scopes, String sources) {
    Reply r =
        node.post(
            "/v1/keys",
            ADMIN_KEY,
            "{\"name\":\"test\",\"scopes\":" + scopes + ",\"sources\":" + sources + "}");
    assertEquals(201, r.status(), r.raw().body());
    return r.body().get("api_key").asText();
  }

  @Test
  void missingKeyIs401Problem() {
    Reply r = node.get("/v1/events", null);
    assertEquals(401, r.status());
    assertEquals("application/problem+json", r.contentType());
    assertNotNull(r.header("WWW-Authenticate"));
  }

  @Test
  void unknownKeyIs401() {
    assertEquals(401, node.get("/v1/events", "vk_nope").status());
  }

  @Test
  void writeOnlyKeyCannotRead() {
    String key = createKey("[\"events:write\"]", "[\"DEMO_APP\"]");
    assertEquals(200, node.post("/v1/events", key, node.loginEvent("w")).status());
    assertEquals(403, node.get("/v1/events", key).status());
  }

  @Test
  void readOnlyKeyCannotWriteOrAdminister() {
    String key = createKey("[\"events:read\"]", "[]");
    assertEquals(200, node.get("/v1/events", key).status());
    assertEquals(403, node.post("/v1/events", key, node.loginEvent("r")).status());
    assertEquals(403, node.get("/v1/keys", key).status());
  }

  @Test
  void keyLimitedToOneSourceCannotWriteForAnother() {
    node.put("/v1/sources/OTHER_APP", ADMIN_KEY, "{}");
    String key = createKey("[\"events:write\"]", "[\"OTHER_APP\"]");
    Reply r = node.post("/v1/events", key, node.loginEvent("s"));
    assertEquals(403, r.status());
    assertEquals("application/problem+json", r.contentType());
  }

  @Test
  void listedKeysNeverShowTheSecret() {
    createKey("[\"events:read\"]", "[]");
    Reply r = node.get("/v1/keys", ADMIN_KEY);
    assertEquals(200, r.status());
    assertFalse(r.raw().body().contains("vk_"), "a secret leaked into GET /v1/keys");
    assertTrue(r.body().get("keys").size() >= 2);
  }

  @Test
  void revokedKeyStopsWorkingAtOnce() {
    Reply created =
        node.post("/v1/keys", ADMIN_KEY, "{\"name\":\"temp\",\"scopes\":[\"events:read\"]}");
    String key = created.body().get("api_key").asText();
    assertEquals(200, node.get("/v1/events", key).status());
    String id = created.body().get("id").asText();
    assertEquals(204, node.send("DELETE", "/v1/keys/" + id, ADMIN_KEY, null, null).status());
    assertEquals(401, node.get("/v1/events", key).status());
    assertEquals(404, node.send("DELETE", "/v1/keys/" + id, ADMIN_KEY, null, null).status());
  }

  @Test
  void rejectsUnknownScope() {
    Reply r = node.post("/v1/keys", ADMIN_KEY, "{\"name\":\"x\",\"scopes\":[\"root\"]}");
    assertEquals(422, r.status());
    assertEquals("/scopes", r.body().get("errors").get(0).get("pointer").asText());
  }

  @Test
  void tenantsAreIsolatedBothWays() {
    Reply created = node.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"acme\",\"name\":\"Acme\"}");
    assertEquals(201, created.status(), created.raw().body());
    String acme = created.body().get("api_key").asText();
    assertEquals(200, node.put("/v1/sources/ACME_APP", acme, "{}").status());
    var acmeEvent = node.loginEvent("acme-user");
    acmeEvent.put("source", "ACME_APP");
    String acmeId =
        node.post("/v1/events", acme, acmeEvent).body().get("results").get(0).get("id").asText();
    String defaultId =
        node.post("/v1/events", ADMIN_KEY, node.loginEvent("default-user"))
            .body()
            .get("results")
            .get(0)
            .get("id")
            .asText();

    Reply crossA = node.get("/v1/events/" + acmeId, ADMIN_KEY);
    Reply crossB = node.get("/v1/events/" + defaultId, acme);
    Reply missing = node.get("/v1/events/0190a0a0-0000-7000-8000-000000000000", acme);
    assertEquals(404, crossA.status());
    assertEquals(404, crossB.status());
    assertEquals(
        missing.body().get("detail").asText().replace("0190a0a0-0000-7000-8000-000000000000", ""),
        crossB.body().get("detail").asText().replace(defaultId, ""),
        "a foreign id must look exactly like a missing one");
    for (JsonNode e : node.get("/v1/events?limit=1000", acme).body().get("events")) {
      assertEquals("acme", e.get("tenant").asText());
    }
    for (JsonNode e : node.get("/v1/events?limit=1000", ADMIN_KEY).body().get("events")) {
      assertEquals("default", e.get("tenant").asText());
    }
    assertEquals(0, node.get("/v1/events?actor_id=default-user", acme).body().get("events").size());
    // each tenant has its own seq space: acme's log starts with its own creation and the
    // registration of ACME_APP (CONFIGURATION_CHANGED from VELLUM), so its first event is seq 2
    assertEquals(2, node.get("/v1/events/" + acmeId, acme).body().get("seq").asLong());
  }

  @Test
  void statsCountOnlyTheCallersTenant() {
    Reply created = node.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"umbrella\"}");
    assertEquals(201, created.status(), created.raw().body());
    String umbrella = created.body().get("api_key").asText();
    assertEquals(200, node.put("/v1/sources/UMBRELLA_APP", umbrella, "{}").status());
    var batch = node.json.createArrayNode();
    for (int i = 0; i < 3; i++) {
      batch.add(node.loginEvent("umbrella-" + i).put("source", "UMBRELLA_APP"));
    }
    assertEquals(200, node.post("/v1/events", umbrella, batch).status());
    assertEquals(200, node.post("/v1/events", ADMIN_KEY, node.loginEvent("default-one")).status());

    assertEquals(Map.of("UMBRELLA_APP", 3L), countsBySource(umbrella, "UMBRELLA_APP"));
    assertEquals(Map.of(), countsBySource(ADMIN_KEY, "UMBRELLA_APP"));
    assertEquals(Map.of(), countsBySource(umbrella, "DEMO_APP"));
  }

  /** The total per source over the last day, of the sources named {@code only}. */
  private static Map<String, Long> countsBySource(String key, String only) {
    Reply r = node.get("/v1/events/stats?group_by=source&interval=1d", key);
    assertEquals(200, r.status(), r.raw().body());
    Map<String, Long> totals = new java.util.TreeMap<>();
    for (JsonNode b : r.body().get("buckets")) {
      for (Map.Entry<String, JsonNode> c : b.get("counts").properties()) {
        if (c.getKey().equals(only)) {
          totals.merge(c.getKey(), c.getValue().asLong(), Long::sum);
        }
      }
    }
    return totals;
  }

  @Test
  void onlyTheDefaultTenantAdminCreatesTenants() {
    Reply created = node.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"globex\"}");
    String globex = created.body().get("api_key").asText();
    assertEquals(403, node.post("/v1/tenants", globex, "{\"id\":\"initech\"}").status());
    assertEquals(409, node.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"globex\"}").status());
  }

  @Test
  void rateLimitAnswers429WithRetryAfter() {
    try (TestNode limited =
        TestNode.start(
            dir.resolve("limited"), c -> c.withRateLimit(new VellumConfig.RateLimit(1, 3)))) {
      int last = 0;
      for (int i = 0; i < 6; i++) {
        last = limited.get("/v1/sources", ADMIN_KEY).status();
      }
      assertEquals(429, last);
      Reply r = limited.get("/v1/sources", ADMIN_KEY);
      assertEquals("application/problem+json", r.contentType());
      assertTrue(Long.parseLong(r.header("Retry-After")) >= 1);
    }
  }

  @Test
  void tenantDefinesItsOwnEventType() {
    String schema =
        "{\"x-vellum-category\":\"billing\",\"allOf\":[{\"$ref\":"
            + "\"https://schemas.vellum.dev/event.json\"}],\"properties\":{\"metadata\":{\"type\":"
            + "\"object\",\"required\":[\"invoice\"]}}}";
    Reply put = node.put("/v1/event-types/INVOICE_SENT", ADMIN_KEY, schema);
    assertEquals(201, put.status(), put.raw().body());
    var e = node.loginEvent("billing-bot");
    e.put("type", "INVOICE_SENT");
    e.remove("metadata");
    e.putObject("metadata").put("invoice", "INV-1");
    Reply ok = node.post("/v1/events", ADMIN_KEY, e);
    assertEquals(200, ok.status(), ok.raw().body());
    e.putObject("metadata");
    Reply bad = node.post("/v1/events", ADMIN_KEY, e);
    assertEquals(422, bad.status());
    assertEquals(
        "/metadata/invoice",
        bad.body().get("results").get(0).get("errors").get(0).get("pointer").asText());
    assertEquals(
        "billing",
        node.get("/v1/event-types/INVOICE_SENT", ADMIN_KEY).body().get("category").asText());
  }

  @Test
  void refusesSchemasThatReferenceTheNetwork() {
    String schema = "{\"x-vellum-category\":\"x\",\"$ref\":\"http://evil.example/s.json\"}";
    Reply r = node.put("/v1/event-types/EVIL_TYPE", ADMIN_KEY, schema);
    assertEquals(422, r.status());
    assertEquals("/$ref", r.body().get("errors").get(0).get("pointer").asText());
  }

  @Test
  void cannotReplaceBuiltInType() {
    assertEquals(
        409,
        node.put("/v1/event-types/LOGIN_FAILED", ADMIN_KEY, "{\"x-vellum-category\":\"x\"}")
            .status());
  }

  @Test
  void listsBuiltInCatalogue() {
    Reply r = node.get("/v1/event-types", ADMIN_KEY);
    assertEquals(200, r.status());
    assertTrue(r.body().get("event_types").size() > 100);
    Reply one = node.get("/v1/event-types/DOCUMENT_DOWNLOADED", ADMIN_KEY);
    assertEquals("document", one.body().get("category").asText());
    assertTrue(one.body().get("schema").isObject());
  }
}
