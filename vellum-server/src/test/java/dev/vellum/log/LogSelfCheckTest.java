package dev.vellum.log;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vellum.store.EventStore;
import dev.vellum.store.StoredCheckpoint;
import dev.vellum.testing.Eventually;
import dev.vellum.testing.TestNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log self-check against a real node's store: it must pass on every honest checkpoint as the
 * log grows across tile boundaries (so an alarm on it never cries wolf), and fail on a checkpoint
 * row changed behind the server's back.
 */
@Timeout(120)
class LogSelfCheckTest {
  @TempDir Path dir;
  private TestNode node;
  private LogSelfCheck check;
  private EventStore store;

  @BeforeEach
  void start() {
    node = TestNode.start(dir);
    String key = node.get("/v1/log/key", ADMIN_KEY).raw().body().trim();
    store = node.node().store();
    check = new LogSelfCheck(store, tenant -> key, new SimpleMeterRegistry());
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private StoredCheckpoint sendAndAwaitCheckpoint(int events) {
    ArrayNode batch = node.json.createArrayNode();
    for (int i = 0; i < events; i++) {
      batch.add(node.loginEvent("user-" + i));
    }
    assertEquals(200, node.post("/v1/events", ADMIN_KEY, batch).status());
    long size = store.nextSeq("default");
    return Eventually.eventually(
        "a checkpoint of size " + size,
        () -> store.latestCheckpoint("default").filter(c -> c.treeSize() >= size).orElse(null));
  }

  @Test
  void passesEveryHonestCheckpointAsTheLogGrowsAcrossTileBoundaries() {
    long now = 0;
    for (int round = 0; round < 7; round++) {
      StoredCheckpoint cp = sendAndAwaitCheckpoint(round == 3 ? 1 : 97);
      assertTrue(check.check("default", ++now), () -> String.valueOf(check.failed()));
      assertEquals(
          store.latestCheckpoint("default").orElseThrow().treeSize(),
          check.verifiedSize("default"));
      assertTrue(cp.treeSize() <= check.verifiedSize("default"));
    }
    assertTrue(check.verifiedSize("default") > 512, "three level-0 tiles and a level-1 tile");
    assertTrue(check.check("default", ++now), "an unchanged checkpoint verifies again");
    assertTrue(check.check("nobody", ++now), "a tenant without checkpoints has nothing to fail");
  }

  @Test
  void failsACheckpointRowChangedBehindTheServersBackUntilItIsRepaired() throws Exception {
    sendAndAwaitCheckpoint(20);
    assertTrue(check.check("default", 1));
    long size = check.verifiedSize("default");
    byte[] wrong = signedRoot(size);
    wrong[0] ^= 1;
    setRoot(size, wrong);
    assertFalse(check.check("default", 2));
    assertTrue(check.failed("default"));
    assertTrue(
        check.failed().get("default").reason().contains("differs from its signed note"),
        check.failed().toString());
    assertFalse(check.check("default", 3), "a failure does not advance the verified state");

    setRoot(size, signedRoot(size));
    assertTrue(check.check("default", 4), () -> String.valueOf(check.failed()));
    assertFalse(check.failed("default"));
  }

  /** The root in the checkpoint's own signed note. */
  private byte[] signedRoot(long size) {
    String note = store.checkpoint("default", size).orElseThrow().note();
    return dev.vellum.core.note.Checkpoint.parse(note.substring(0, note.indexOf("\n\n") + 1))
        .rootHash();
  }

  private void setRoot(long size, byte[] root) throws Exception {
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:sqlite:" + dir.resolve("vellum.db") + "?busy_timeout=5000");
        PreparedStatement st =
            c.prepareStatement(
                "UPDATE log_checkpoints SET root_hash = ? WHERE tenant = 'default'"
                    + " AND tree_size = ?")) {
      st.setBytes(1, root);
      st.setLong(2, size);
      assertEquals(1, st.executeUpdate());
    }
  }
}
