package dev.vellum.ingest;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.json.CanonicalJson;
import dev.vellum.core.sample.SampleEvents;
import dev.vellum.testing.TestNode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: any valid event comes back from the query API with exactly the canonical content it was
 * sent with, plus only the server-added members. Seeded, so a failure is reproducible.
 */
class CanonicalRoundTripPropertyTest {
  @TempDir Path dir;

  @Test
  void randomValidEventsComeBackWithTheSameCanonicalContent() {
    long seed = 20261127L;
    Random random = new Random(seed);
    SampleEvents samples = new SampleEvents(seed);
    try (TestNode node = TestNode.start(dir)) {
      ArrayNode batch = node.json.createArrayNode();
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      for (int i = 0; i < 300; i++) {
        Instant at = now.minusMillis(random.nextInt(7 * 24 * 3600 * 1000));
        ObjectNode e = samples.next(at, "DEMO_APP", 300 + random.nextInt(2000));
        e.put("id", UUID.randomUUID().toString());
        batch.add(e);
      }
      JsonNode results = node.post("/v1/events", ADMIN_KEY, batch).body().get("results");
      for (int i = 0; i < batch.size(); i++) {
        JsonNode sent = batch.get(i);
        assertEquals(
            "accepted",
            results.get(i).get("status").asText(),
            "seed " + seed + " event " + i + ": " + results.get(i));
        ObjectNode back =
            (ObjectNode) node.get("/v1/events/" + sent.get("id").asText(), ADMIN_KEY).body();
        back.remove(java.util.List.of("tenant", "received_at", "seq", "leaf_hash", "leaf_version"));
        ObjectNode expected = ((ObjectNode) sent).deepCopy();
        expected.putIfAbsent("category", back.get("category"));
        expected.putIfAbsent("outcome", back.get("outcome"));
        expected.putIfAbsent("severity", back.get("severity"));
        assertEquals(
            CanonicalJson.canonicalString(expected),
            CanonicalJson.canonicalString(back),
            "seed " + seed + " event " + i);
      }
    }
  }
}
