package dev.vellum.postgres;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.app.VellumNode;
import dev.vellum.feed.FeedSettings;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.FeedEvent;
import dev.vellum.testing.TestNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A feed consumer with a cluster role on two nodes sharing one PostgreSQL database: it runs on the
 * node holding the role's lease only, and moves to the other node when the holder loses the lease
 * or stops, resuming from the durable position without skipping events.
 */
class ClusterConsumerTest {
  private static final String ROLE = "test-once";

  @TempDir Path dir;
  private PgCluster cluster;

  @AfterEach
  void cleanUp() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Records the positions it is handed, per node; runs under {@link #ROLE}. */
  private static final class OncePerCluster implements FeedConsumer {
    final List<Long> seen = Collections.synchronizedList(new ArrayList<>());

    @Override
    public String name() {
      return "once-per-cluster";
    }

    @Override
    public void accept(List<FeedEvent> events) {
      events.forEach(e -> seen.add(e.position()));
    }

    @Override
    public Optional<String> clusterRole() {
      return Optional.of(ROLE);
    }
  }

  private TestNode start(String name, OncePerCluster consumer) {
    return cluster.start(
        name,
        new VellumNode.Extensions(
            UnaryOperator.identity(),
            UnaryOperator.identity(),
            List.of(consumer),
            FeedSettings.defaults()));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      Thread.sleep(50);
    }
  }

  private Set<Long> committedPositions() throws Exception {
    long last = cluster.queryLong("SELECT position FROM feed_head");
    Set<Long> all = new TreeSet<>();
    for (long p = 1; p <= last; p++) {
      all.add(p);
    }
    return all;
  }

  private static String consumerState(TestNode node) {
    for (JsonNode c : node.get("/v1/admin/consumers", ADMIN_KEY).body().get("consumers")) {
      if (c.get("name").asText().equals("once-per-cluster")) {
        return c.get("state").asText();
      }
    }
    throw new AssertionError("consumer not listed");
  }

  private static Set<Long> union(OncePerCluster... consumers) {
    Set<Long> all = new TreeSet<>();
    for (OncePerCluster c : consumers) {
      synchronized (c.seen) {
        all.addAll(c.seen);
      }
    }
    return all;
  }

  @Test
  void onlyTheLeaseHolderDeliversAndTheOtherTakesOverFromTheDurablePositionWhenItStops()
      throws Exception {
    cluster = new PgCluster(dir);
    OncePerCluster onA = new OncePerCluster();
    OncePerCluster onB = new OncePerCluster();
    TestNode a = start("a", onA);
    TestNode b = start("b", onB);
    PgCluster.ingest(a, "on-a", 20);
    PgCluster.ingest(b, "on-b", 20);
    Set<Long> first = committedPositions();
    await("node a delivered everything", () -> union(onA).containsAll(first));
    assertEquals(List.of(), onB.seen, "the node without the lease delivers nothing");
    assertEquals("running", consumerState(a));
    assertEquals("standby", consumerState(b));
    assertEquals(1, PgCluster.leaseHeld(a, ROLE));
    assertEquals(0, PgCluster.leaseHeld(b, ROLE));

    a.close();
    cluster.nodes.remove(a);
    long durable =
        cluster.queryLong("SELECT position FROM feed_consumers WHERE name = 'once-per-cluster'");
    assertEquals(first.size(), durable, "node a saved what it handled when it stopped");
    PgCluster.ingest(b, "after", 10);
    Set<Long> all = committedPositions();
    await("node b took over and delivered the rest", () -> union(onA, onB).containsAll(all));
    assertEquals("running", consumerState(b));
    assertTrue(
        onB.seen.stream().allMatch(p -> p > durable),
        "node b resumes from the durable position: " + onB.seen);
  }

  @Test
  void whenTheHoldersLeaseSessionDiesOneNodeDeliversAgainAndNothingIsSkipped() throws Exception {
    cluster = new PgCluster(dir);
    OncePerCluster onA = new OncePerCluster();
    OncePerCluster onB = new OncePerCluster();
    TestNode a = start("a", onA);
    TestNode b = start("b", onB);
    PgCluster.ingest(a, "before", 15);
    Set<Long> first = committedPositions();
    await("node a delivered everything", () -> union(onA).containsAll(first));

    assertEquals(1, cluster.terminateLeaseSession(ROLE), "one session holds the lease");
    await(
        "one node holds the lease again after the holder noticed the loss",
        () ->
            PgCluster.leaseHeld(a, ROLE) + PgCluster.leaseHeld(b, ROLE) == 1
                && !(consumerState(a).equals("running") && consumerState(b).equals("running")));
    for (int i = 0; i < 5; i++) {
      PgCluster.ingest(i % 2 == 0 ? a : b, "after-" + i, 4);
    }
    Set<Long> all = committedPositions();
    await("every event is delivered on some node", () -> union(onA, onB).containsAll(all));
    TestNode holder = PgCluster.leaseHeld(a, ROLE) == 1 ? a : b;
    TestNode other = holder == a ? b : a;
    assertEquals("running", consumerState(holder));
    assertEquals("standby", consumerState(other));
  }
}
