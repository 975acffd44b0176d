package dev.vellum.app;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vellum.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartTest {
  @TempDir Path dir;

  @Test
  void restartOnSameDataDirFindsEverythingAndContinuesSeq() {
    try (TestNode node = TestNode.start(dir)) {
      ArrayNode batch = node.json.createArrayNode();
      for (int i = 0; i < 50; i++) {
        batch.add(node.loginEvent("restart-" + i));
      }
      List<String> ids = new ArrayList<>();
      for (JsonNode r : node.post("/v1/events", ADMIN_KEY, batch).body().get("results")) {
        ids.add(r.get("id").asText());
      }
      node.put("/v1/sources/KEPT_APP", ADMIN_KEY, "{}");
      node.restart();
      for (String id : ids) {
        assertEquals(200, node.get("/v1/events/" + id, ADMIN_KEY).status());
      }
      var e = node.loginEvent("after-restart");
      e.put("source", "KEPT_APP");
      JsonNode r = node.post("/v1/events", ADMIN_KEY, e).body().get("results").get(0);
      // 50 events, one AUDIT_LOG_ACCESSED record per read above and the CONFIGURATION_CHANGED
      // record of registering KEPT_APP
      assertEquals(101, r.get("seq").asLong());
    }
  }

  @Test
  void searchIndexIsRebuiltFromTheEventsWhenItsFileIsLost() {
    try (TestNode node = TestNode.start(dir)) {
      ArrayNode batch = node.json.createArrayNode();
      for (int i = 0; i < 20; i++) {
        var e = node.loginEvent("rebuild-" + (i % 2));
        e.putArray("tags").add("rebuild-tag");
        if (i < 5) {
          e.put("reason", "zebracorn sighting");
        }
        batch.add(e);
      }
      node.post("/v1/events", ADMIN_KEY, batch);
      node.restart(
          () -> {
            try (java.util.stream.Stream<java.nio.file.Path> all =
                Files.walk(dir.resolve(dev.vellum.app.VellumNode.SEARCH_INDEX_DIR))) {
              for (java.nio.file.Path p :
                  all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
              }
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
      assertEquals(
          10, node.get("/v1/events?actor_id=rebuild-1", ADMIN_KEY).body().get("events").size());
      assertEquals(
          20, node.get("/v1/events?tag=rebuild-tag", ADMIN_KEY).body().get("events").size());
      assertEquals(5, node.get("/v1/events?q=zebracorn", ADMIN_KEY).body().get("events").size());
    }
  }

  @Test
  void bootstrapKeyIsWrittenOnceWithOwnerOnlyPermissions() throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      Path key = dir.resolve("bootstrap-key");
      assertEquals(TestNode.ADMIN_KEY, Files.readString(key).trim());
      assertEquals(
          "rw-------",
          java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(key)));
      node.restart();
      assertFalse(node.get("/v1/keys", ADMIN_KEY).body().get("keys").isEmpty());
    }
  }
}
