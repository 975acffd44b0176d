package dev.vellum.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestPoolTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void render_writesFreshIdsAndTheGivenTimeIntoEveryEvent() throws Exception {
    RequestPool pool = RequestPool.generate(1, 10, 1024, "DEMO_APP", 1 << 20, 3);
    Instant now = Instant.parse("2026-02-03T04:05:06.789Z");
    Set<String> ids = new HashSet<>();
    for (int n = 0; n < 6; n++) {
      JsonNode batch = json.readTree(pool.render(n, now));
      assertEquals(10, batch.size());
      for (JsonNode e : batch) {
        assertEquals("2026-02-03T04:05:06.789Z", e.get("occurred_at").asText());
        assertNotEquals(RequestPool.ID_MARK, e.get("id").asText());
        assertTrue(ids.add(e.get("id").asText()), "ids are unique");
      }
    }
  }

  @Test
  void backdated_spreadsRequestsEvenlyOverThePeriodBeforeTheSendingTime() throws Exception {
    RequestPool pool =
        RequestPool.generate(1, 2, 1024, "DEMO_APP", 1 << 20, 3).backdated(Duration.ofDays(30));
    Instant now = Instant.parse("2026-02-03T04:05:06.789Z");
    int[] perDay = new int[30];
    for (int n = 0; n < 3000; n++) {
      JsonNode batch = json.readTree(pool.render(n, now));
      Instant at = Instant.parse(batch.get(0).get("occurred_at").asText());
      assertEquals(
          at.toString(), Instant.parse(batch.get(1).get("occurred_at").asText()).toString());
      assertTrue(!at.isAfter(now) && at.isAfter(now.minus(Duration.ofDays(30))), at.toString());
      perDay[(int) Duration.between(at, now).toDays()]++;
    }
    for (int d = 0; d < 30; d++) {
      assertTrue(perDay[d] >= 90 && perDay[d] <= 110, "day " + d + " got " + perDay[d]);
    }
  }

  @Test
  void generate_eventsAreAboutTheRequestedSize() throws Exception {
    RequestPool pool = RequestPool.generate(1, 1, 1024, "DEMO_APP", 1 << 20, 50);
    JsonNode single = json.readTree(pool.render(0, Instant.now()));
    assertTrue(single.isObject(), "batch 1 sends a single event object");
    long size = pool.averageRequestBytes();
    assertTrue(size > 900 && size < 1200, "about 1 KiB, got " + size);
  }
}
