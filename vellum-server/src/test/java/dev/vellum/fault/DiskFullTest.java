package dev.vellum.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vellum.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The data dir sits on a 6 MiB tmpfs that fills up: ingest must answer 503 with Retry-After, lose
 * nothing it acknowledged, and recover once the file system is grown again. Needs root (mount);
 * skipped otherwise. The tests run in order on one node and one file system.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DiskFullTest {
  private Path mountPoint;
  private boolean mounted;
  private TestNode node;
  private final Map<String, Long> acknowledged = new HashMap<>();
  private TestNode.Reply full;

  @BeforeAll
  void mountSmallTmpfs() throws Exception {
    Assumptions.assumeTrue(Mounts.isRoot(), "needs root to mount a small tmpfs");
    mountPoint = Files.createTempDirectory("vellum-diskfull-");
    Mounts.Result r = Mounts.mountTmpfs(mountPoint, "size=6m");
    Assumptions.assumeTrue(r.ok(), () -> "mount -t tmpfs failed: " + r.output());
    mounted = true;
    node = TestNode.start(mountPoint.resolve("data"));
  }

  @AfterAll
  void unmount() throws Exception {
    if (node != null) {
      try {
        node.close();
      } catch (RuntimeException e) {
        // a node that lost its disk may not close cleanly; the mount must still go
      }
    }
    if (mounted) {
      Mounts.unmount(mountPoint);
    }
    if (mountPoint != null) {
      Files.deleteIfExists(mountPoint);
    }
  }

  @Test
  @Order(1)
  void fillingTheDisk_answers503WithRetryAfter() {
    for (int i = 0; i < 2_000 && full == null; i++) {
      TestNode.Reply r =
          node.post(
              "/v1/events", TestNode.ADMIN_KEY, Events.batch(node, 100, 700, new ArrayList<>()));
      if (r.status() == 200) {
        acknowledged.putAll(Events.acknowledged(r));
      } else if (r.status() == 503) {
        full = r;
      } else {
        fail(
            "while filling the disk, ingest answered "
                + r.status()
                + " instead of 200 or 503: "
                + r.raw().body());
      }
    }
    assertNotNull(full, "6 MiB never filled up");
    assertTrue(acknowledged.size() > 0, "the disk was full before the first event");
    assertEquals("application/problem+json", full.contentType());
    assertNotNull(full.header("Retry-After"), "503 without Retry-After");
    assertTrue(Integer.parseInt(full.header("Retry-After")) > 0, full.header("Retry-After"));
    assertEquals(200, node.get("/health/live", null).status());
  }

  @Test
  @Order(2)
  void whileFull_laterWritesAlsoAnswer503() {
    Assumptions.assumeTrue(full != null, "the disk never filled");
    TestNode.Reply again =
        node.post(
            "/v1/events", TestNode.ADMIN_KEY, Events.batch(node, 100, 700, new ArrayList<>()));
    assertEquals(503, again.status(), () -> "still full, but: " + again.raw().body());
    assertNotNull(again.header("Retry-After"), "503 without Retry-After");
  }

  @Test
  @Order(3)
  void whileFull_everyAcknowledgedEventIsStillStored() throws Exception {
    Assumptions.assumeTrue(full != null, "the disk never filled");
    Map<String, Long> stored = new HashMap<>();
    Path db = node.dataDir().resolve("vellum.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, seq FROM events WHERE tenant = 'default'")) {
      while (rs.next()) {
        stored.put(rs.getString(1), rs.getLong(2));
      }
    }
    List<String> lost = Events.lostOrMoved(acknowledged, new Events.Log(stored, List.of()));
    assertTrue(lost.isEmpty(), () -> lost.size() + " problems, first: " + lost.get(0));
  }

  @Test
  @Order(4)
  void whenSpaceReturns_ingestRecovers_andNothingAcknowledgedIsLost() throws Exception {
    Assumptions.assumeTrue(full != null, "the disk never filled");
    Mounts.Result grown = Mounts.remount(mountPoint, "size=64m");
    assertTrue(grown.ok(), () -> "remount failed: " + grown.output());

    TestNode.Reply r = null;
    for (int attempt = 0; attempt < 30; attempt++) {
      r =
          node.post(
              "/v1/events", TestNode.ADMIN_KEY, Events.batch(node, 50, 200, new ArrayList<>()));
      if (r.status() != 503) {
        break;
      }
      Thread.sleep(500);
    }
    TestNode.Reply last = r;
    assertEquals(200, last.status(), () -> "after space returned: " + last.raw().body());
    acknowledged.putAll(Events.acknowledged(last));

    Events.Log log = Events.readAll(node, TestNode.ADMIN_KEY);
    assertTrue(log.problems().isEmpty(), () -> "log problems: " + log.problems());
    List<String> lost = Events.lostOrMoved(acknowledged, log);
    assertTrue(lost.isEmpty(), () -> lost.size() + " problems, first: " + lost.get(0));
  }

  @Test
  @Order(5)
  void afterSpaceReturnsAndARestart_nothingAcknowledgedIsLost_andIngestWorks() {
    Assumptions.assumeTrue(full != null, "the disk never filled");
    Mounts.Result grown = Mounts.remount(mountPoint, "size=64m");
    assertTrue(grown.ok(), () -> "remount failed: " + grown.output());

    node.restart();

    TestNode.Reply r =
        node.post("/v1/events", TestNode.ADMIN_KEY, Events.batch(node, 50, 200, new ArrayList<>()));
    assertEquals(200, r.status(), () -> "after restart with space: " + r.raw().body());
    acknowledged.putAll(Events.acknowledged(r));
    Events.Log log = Events.readAll(node, TestNode.ADMIN_KEY);
    assertTrue(log.problems().isEmpty(), () -> "log problems: " + log.problems());
    List<String> lost = Events.lostOrMoved(acknowledged, log);
    assertTrue(lost.isEmpty(), () -> lost.size() + " problems, first: " + lost.get(0));
  }
}
