package dev.vellum.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.testing.TestNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** What the server holds, read back over its search API; and event fixtures for client tests. */
final class Stored {
  private Stored() {}

  static AuditEvent login(String actor, String tag) {
    return AuditEvent.type("LOGIN_SUCCESSFUL")
        .source("DEMO_APP")
        .actor(Actor.user(actor).ip("10.1.2.3"))
        .outcome(Outcome.SUCCESS)
        .metadata("login_method", "PASSWORD")
        .tag(tag);
  }

  /** How many times each event id with this tag is stored (at most once, by design). */
  static Map<String, Integer> idsTagged(TestNode node, String tag) {
    Map<String, Integer> ids = new HashMap<>();
    String cursor = null;
    while (true) {
      String path =
          "/v1/events?order=asc&limit=1000&tag="
              + URLEncoder.encode(tag, StandardCharsets.UTF_8)
              + (cursor == null ? "" : "&cursor=" + cursor);
      TestNode.Reply r = node.getPatiently(path, TestNode.ADMIN_KEY);
      assertEquals(200, r.status(), r.raw().body());
      for (JsonNode e : r.body().path("events")) {
        ids.merge(e.path("id").asText(), 1, Integer::sum);
      }
      JsonNode next = r.body().path("next_cursor");
      if (next.isNull() || next.isMissingNode() || r.body().path("events").isEmpty()) {
        return ids;
      }
      cursor = next.asText();
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
