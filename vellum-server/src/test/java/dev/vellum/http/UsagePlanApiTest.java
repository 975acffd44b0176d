package dev.vellum.http;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage plans per key, as API Gateway's: a rate with a burst and a daily or monthly quota, 429
 * problem+json with Retry-After and what is left in headers; and every administrative change is an
 * audit event in the tenant's log.
 */
class UsagePlanApiTest {
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

  private static JsonNode createKey(String plan) {
    Reply r =
        node.post(
            "/v1/keys",
            ADMIN_KEY,
            "{\"name\":\"planned\",\"scopes\":" + "[\"events:read\"],\"usage_plan\":" + plan + "}");
    assertEquals(201, r.status(), r.raw().body());
    return r.body();
  }

  @Test
  void keyOverItsDailyQuotaGets429QuotaExceededWithRetryAfterAndRemainingHeaders() {
    // a generous rate, so only the quota can stop the key
    JsonNode key =
        createKey(
            "{\"requests_per_second\":1000,\"burst\":1000,\"quota\":3,"
                + "\"quota_period\":\"day\"}");
    String secret = key.get("api_key").asText();
    for (int i = 2; i >= 0; i--) {
      Reply ok = node.get("/v1/sources", secret);
      assertEquals(200, ok.status());
      assertEquals(Integer.toString(i), ok.header("X-Quota-Remaining"));
      assertEquals("3", ok.header("X-Quota-Limit"));
    }
    Reply refused = node.get("/v1/sources", secret);
    assertEquals(429, refused.status());
    assertEquals("application/problem+json", refused.contentType());
    assertEquals("https://vellum.dev/problems/quota-exceeded", refused.body().get("type").asText());
    assertEquals("0", refused.header("X-Quota-Remaining"));
    assertTrue(Long.parseLong(refused.header("Retry-After")) >= 1);
    assertTrue(Long.parseLong(refused.header("Retry-After")) <= 86_400);
  }

  @Test
  void keyOverItsBurstGets429RateLimitedWithRateHeaders() {
    JsonNode key = createKey("{\"requests_per_second\":1,\"burst\":2}");
    String secret = key.get("api_key").asText();
    Reply first = node.get("/v1/sources", secret);
    assertEquals("2", first.header("X-RateLimit-Limit"));
    assertNotNull(first.header("X-RateLimit-Remaining"));
    int refusals = 0;
    for (int i = 0; i < 5; i++) {
      Reply r = node.get("/v1/sources", secret);
      if (r.status() == 429) {
        refusals++;
        assertEquals("https://vellum.dev/problems/rate-limited", r.body().get("type").asText());
        assertNotNull(r.header("Retry-After"));
      }
    }
    // 6 requests against a bucket of 2 refilling at 1/s: most are refused, whatever the timing
    assertTrue(refusals >= 2, "refusals: " + refusals);
  }

  @Test
  void usagePlanCanBeChangedAndIsListedWithTheKey() {
    JsonNode key = createKey("{\"quota\":1,\"quota_period\":\"month\"}");
    String id = key.get("id").asText();
    String secret = key.get("api_key").asText();
    assertEquals(200, node.get("/v1/sources", secret).status());
    assertEquals(429, node.get("/v1/sources", secret).status());
    Reply put = node.put("/v1/keys/" + id + "/usage-plan", ADMIN_KEY, "{\"quota\":null}");
    assertEquals(200, put.status(), put.raw().body());
    assertTrue(put.body().at("/usage_plan/quota").isMissingNode(), put.raw().body());
    assertEquals(200, node.get("/v1/sources", secret).status());
  }

  @Test
  void invalidUsagePlanIs422NamingThePointer() {
    Reply r =
        node.post(
            "/v1/keys",
            ADMIN_KEY,
            "{\"name\":\"bad\",\"scopes\":[\"events:read\"],"
                + "\"usage_plan\":{\"burst\":0,\"quota_period\":\"week\"}}");
    assertEquals(422, r.status());
    assertEquals("/usage_plan/burst", r.body().at("/errors/0/pointer").asText());
    assertEquals("/usage_plan/quota_period", r.body().at("/errors/1/pointer").asText());
  }

  @Test
  void administrativeChangesAreAuditEventsInTheTenantsLog() {
    JsonNode key = createKey("{\"requests_per_second\":50}");
    String id = key.get("id").asText();
    assertEquals(
        200,
        node.put("/v1/keys/" + id + "/usage-plan", ADMIN_KEY, "{\"requests_per_second\":60}")
            .status());
    assertEquals(204, node.send("DELETE", "/v1/keys/" + id, ADMIN_KEY, null, null).status());
    assertEquals(200, node.put("/v1/sources/AUDITED_APP", ADMIN_KEY, "{}").status());
    assertEquals(
        201,
        node.put(
                "/v1/event-types/AUDITED_TYPE",
                ADMIN_KEY,
                "{\"x-vellum-category\":\"custom\",\"allOf\":[{\"$ref\":"
                    + "\"https://schemas.vellum.dev/event.json\"}]}")
            .status());
    assertEquals(201, node.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"audited-tenant\"}").status());

    assertEquals("API_KEY_CREATED", systemEvent("API_KEY_CREATED", id).get("type").asText());
    assertEquals(id, systemEvent("API_KEY_REVOKED", id).at("/metadata/key_id").asText());
    JsonNode plan = systemEvent("CONFIGURATION_CHANGED", id);
    assertEquals("usage_plans", plan.at("/metadata/component").asText());
    assertEquals(60, plan.at("/changes/0/after/requests_per_second").asInt());
    assertEquals(
        "sources",
        systemEvent("CONFIGURATION_CHANGED", "AUDITED_APP").at("/metadata/component").asText());
    assertEquals(
        "event_types",
        systemEvent("CONFIGURATION_CHANGED", "AUDITED_TYPE").at("/metadata/component").asText());
    assertEquals(
        "tenants",
        systemEvent("CONFIGURATION_CHANGED", "audited-tenant").at("/metadata/component").asText());
  }

  /** The event of {@code type} from the system source whose target id is {@code targetId}. */
  private static JsonNode systemEvent(String type, String targetId) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    do {
      // search is fed by a background indexer: poll until the event is indexed
      Reply r = node.get("/v1/events?source=VELLUM&type=" + type + "&limit=1000", ADMIN_KEY);
      for (JsonNode e : r.body().path("events")) {
        if (targetId.equals(e.at("/targets/0/id").asText())) {
          assertEquals("api_key", e.at("/actor/type").asText());
          return e;
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new AssertionError(ex);
      }
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no " + type + " event for " + targetId);
  }
}
