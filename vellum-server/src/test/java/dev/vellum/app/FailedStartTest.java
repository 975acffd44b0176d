package dev.vellum.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vellum.feed.FeedSettings;
import dev.vellum.store.EventStore;
import dev.vellum.testing.TestNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start that fails half-way closes what it opened, so the data dir can be used again. */
class FailedStartTest {
  @TempDir Path dir;

  @Test
  void aFailedStartReleasesTheDataDirAndItsThreads() {
    VellumNode.Extensions failing =
        new VellumNode.Extensions(
            (EventStore store) -> {
              throw new IllegalStateException("injected start failure");
            },
            s -> s,
            List.of(),
            FeedSettings.defaults());
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> VellumNode.start(TestNode.config(dir).validate(), false, failing));
    assertEquals("injected start failure", e.getMessage());
    try (TestNode node = TestNode.start(dir)) {
      assertEquals(200, node.get("/health/ready", null).status());
    }
  }
}
