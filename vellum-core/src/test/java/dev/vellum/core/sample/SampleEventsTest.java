package dev.vellum.core.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import dev.vellum.core.catalog.BuiltInCatalog;
import dev.vellum.core.catalog.CatalogValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SampleEventsTest {

  static final Instant T0 = Instant.parse("2024-05-01T09:30:00Z");

  static void assertValid(JsonNode ev) {
    List<Error> errors = CatalogValidator.validate(ev);
    assertTrue(errors.isEmpty(), CatalogValidator.describe(errors) + "\n" + ev.toPrettyString());
    assertFalse(ev.has("id"));
    for (String server : List.of("tenant", "received_at", "seq", "leaf_hash", "leaf_version")) {
      assertFalse(ev.has(server), server);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 42, 7_777, -3, 123_456_789})
  void thousandsOfEventsAreSchemaValid(long seed) {
    SampleEvents s = new SampleEvents(seed);
    Map<String, Integer> byCategory = new HashMap<>();
    int failures = 0;
    int n = 2000;
    for (int i = 0; i < n; i++) {
      ObjectNode ev = s.next(T0.plusSeconds(i * 37L), "DEMO_APP");
      assertValid(ev);
      byCategory.merge(ev.get("category").asText(), 1, Integer::sum);
      if (ev.get("outcome").asText().equals("failure")) {
        failures++;
      }
    }
    assertTrue(byCategory.size() >= 12, byCategory.toString());
    assertTrue(byCategory.get("user_access") > byCategory.getOrDefault("vendor", 0));
    double failureShare = failures / (double) n;
    assertTrue(failureShare > 0.01 && failureShare < 0.15, "failure share " + failureShare);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void everyBuiltInTypeCanBeGeneratedValid(long seed) {
    SampleEvents s = new SampleEvents(seed);
    for (String type : BuiltInCatalog.typeNames()) {
      for (int i = 0; i < 5; i++) {
        ObjectNode ev = s.next(type, T0.plusSeconds(i), "BILLING");
        assertEquals(type, ev.get("type").asText());
        assertValid(ev);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {700, 800, 1024, 1500, 2048, 4096, 16_384, 65_536})
  void sizesAreWithinTenPercent(int target) {
    for (long seed : new long[] {5, 6, 7}) {
      SampleEvents s = new SampleEvents(seed);
      for (int i = 0; i < 400; i++) {
        ObjectNode ev = s.next(T0.plusMillis(i * 1234L), "DEMO_APP", target);
        int size = SampleEvents.size(ev);
        assertTrue(
            Math.abs(size - target) <= target * 0.10,
            "size " + size + " for " + target + ": " + ev);
        if (i % 20 == 0) {
          assertValid(ev);
        }
      }
    }
  }

  @Test
  void smallSizesGiveSmallValidEvents() {
    SampleEvents s = new SampleEvents(9);
    for (int i = 0; i < 200; i++) {
      ObjectNode ev = s.next(T0, "DEMO_APP", 200);
      assertValid(ev);
      assertTrue(SampleEvents.size(ev) < 1200);
    }
  }

  @Test
  void deterministicForASeed() {
    SampleEvents a = new SampleEvents(99);
    SampleEvents b = new SampleEvents(99);
    for (int i = 0; i < 200; i++) {
      assertEquals(a.next(T0, "X", 1024), b.next(T0, "X", 1024));
    }
    assertEquals(
        new SampleEvents(5).demoSet(T0, 500, "DEMO_APP"),
        new SampleEvents(5).demoSet(T0, 500, "DEMO_APP"));
  }

  @Test
  void stablePoolOfActors() {
    SampleEvents s = new SampleEvents(1);
    assertEquals(50, s.actorIds().size());
    assertEquals(50, new HashSet<>(s.actorIds()).size());
    assertEquals(s.actorIds(), new SampleEvents(2).actorIds());
    Set<String> actors = new HashSet<>();
    for (int i = 0; i < 3000; i++) {
      ObjectNode ev = s.next(T0, "DEMO_APP");
      if (ev.at("/actor/type").asText().equals("user")) {
        actors.add(ev.at("/actor/id").asText());
      }
    }
    assertTrue(s.actorIds().containsAll(actors));
    assertTrue(actors.size() >= 45, "distinct actors " + actors.size());
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13})
  void demoSetTellsStoriesOverSevenDays(long seed) {
    Instant now = Instant.parse("2024-06-10T15:04:05Z");
    List<ObjectNode> demo = new SampleEvents(seed).demoSet(now, 500, "DEMO_APP");
    assertEquals(500, demo.size());
    Instant start = now.minus(Duration.ofDays(7));
    String prev = "";
    Map<String, Integer> perHour = new HashMap<>();
    Set<String> categories = new HashSet<>();
    for (ObjectNode ev : demo) {
      assertValid(ev);
      assertEquals("DEMO_APP", ev.get("source").asText());
      String at = ev.get("occurred_at").asText();
      assertTrue(at.compareTo(prev) >= 0, "sorted");
      prev = at;
      Instant t = Instant.parse(at);
      assertFalse(t.isAfter(now), at);
      assertFalse(t.isBefore(start), at);
      categories.add(ev.get("category").asText());
      int hour = t.atZone(java.time.ZoneOffset.UTC).getHour();
      perHour.merge(hour >= 8 && hour < 18 ? "work" : "off", 1, Integer::sum);
    }
    assertTrue(categories.size() >= 10, categories.toString());
    assertTrue(perHour.get("work") > 2 * perHour.getOrDefault("off", 0), perHour.toString());

    // brute force: several LOGIN_FAILED, then MULTIPLE_LOGIN_FAILED, then ACCOUNT_LOCKOUT, same
    // victim and IP
    List<ObjectNode> brute = demo.stream().filter(e -> tagged(e, "story:brute-force")).toList();
    List<String> bruteTypes = brute.stream().map(e -> e.get("type").asText()).toList();
    int multi = bruteTypes.indexOf("MULTIPLE_LOGIN_FAILED");
    int lock = bruteTypes.indexOf("ACCOUNT_LOCKOUT");
    assertTrue(multi >= 8 && lock > multi, bruteTypes.toString());
    assertTrue(bruteTypes.subList(0, multi).stream().allMatch("LOGIN_FAILED"::equals));
    String victim = brute.get(0).at("/actor/id").asText();
    String ip = brute.get(0).at("/actor/ip").asText();
    assertTrue(
        brute.subList(0, lock + 1).stream()
            .allMatch(
                e ->
                    e.at("/actor/id").asText().equals(victim)
                        && e.at("/actor/ip").asText().equals(ip)));
    assertEquals(
        "BRUTE_FORCE_ATTACK_DETECTED",
        brute.get(lock).at("/metadata/account_lock_reason").asText());

    List<String> doc = types(demo, "story:document-verification");
    assertTrue(
        doc.indexOf("DOCUMENT_UPLOAD_INITIATED") < doc.indexOf("VERIFICATION_REQUEST_RECEIVED"));
    assertTrue(
        doc.indexOf("VERIFICATION_REQUEST_RECEIVED")
            < doc.indexOf("DOCUMENT_VERIFICATION_SUCCESSFUL"));
    Set<String> docIds = new HashSet<>();
    demo.stream()
        .filter(e -> tagged(e, "story:document-verification"))
        .forEach(e -> docIds.add(e.at("/targets/0/id").asText()));
    assertEquals(1, docIds.size());

    List<String> deploy = types(demo, "story:deploy-rollback");
    assertTrue(
        deploy.indexOf("DEPLOYMENT_SUCCEEDED") < deploy.indexOf("DEPLOYMENT_ROLLED_BACK"),
        deploy.toString());

    List<String> refund = types(demo, "story:refund");
    assertTrue(
        refund.indexOf("PAYMENT_COMPLETED") < refund.indexOf("REFUND_ISSUED"), refund.toString());
    assertTrue(
        refund.indexOf("SUPPORT_TICKET_CREATED") < refund.indexOf("REFUND_REQUESTED"),
        refund.toString());
  }

  @Test
  void demoSetHonoursSmallCounts() {
    Instant now = Instant.parse("2024-06-10T15:04:05Z");
    assertEquals(0, new SampleEvents(1).demoSet(now, 0, "DEMO_APP").size());
    assertEquals(20, new SampleEvents(1).demoSet(now, 20, "DEMO_APP").size());
    assertEquals(2000, new SampleEvents(1).demoSet(now, 2000, "DEMO_APP").size());
  }

  static boolean tagged(JsonNode ev, String tag) {
    for (JsonNode t : ev.path("tags")) {
      if (t.asText().equals(tag)) {
        return true;
      }
    }
    return false;
  }

  static List<String> types(List<ObjectNode> demo, String tag) {
    return demo.stream().filter(e -> tagged(e, tag)).map(e -> e.get("type").asText()).toList();
  }
}
