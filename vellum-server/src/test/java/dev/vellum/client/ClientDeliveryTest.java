package dev.vellum.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.config.VellumConfig;
import dev.vellum.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java client against a real node on loopback: delivery, outages, rate limits, receipts. */
class ClientDeliveryTest {
  @TempDir Path tmp;

  private static VellumClient.Builder client(String url) {
    return VellumClient.builder()
        .endpoint(url)
        .apiKey(TestNode.ADMIN_KEY)
        .source("DEMO_APP")
        .retryBackoff(Duration.ofMillis(50), Duration.ofSeconds(2));
  }

  @Test
  void tenThousandEventsFromEightThreads_allArriveExactlyOnce() throws Exception {
    try (TestNode node = TestNode.start(tmp.resolve("node"))) {
      VellumClient vellum = client(node.url("")).bufferCapacity(20_000).build();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<List<CompletableFuture<Receipt>>>> work = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        work.add(
            pool.submit(
                () -> {
                  List<CompletableFuture<Receipt>> mine = new ArrayList<>();
                  for (int i = 0; i < 1250; i++) {
                    mine.add(vellum.record(Stored.login("t" + thread + "-" + i, "eight-threads")));
                  }
                  return mine;
                }));
      }
      Set<Long> seqs = new HashSet<>();
      for (var w : work) {
        for (CompletableFuture<Receipt> f : w.get()) {
          Receipt r = f.get();
          assertEquals(Receipt.Status.ACCEPTED, r.status());
          seqs.add(r.seq());
        }
      }
      pool.shutdown();
      assertTrue(vellum.close(Duration.ofSeconds(30)));
      assertEquals(10_000, seqs.size());
      Map<String, Integer> stored = Stored.idsTagged(node, "eight-threads");
      assertEquals(10_000, stored.size());
      assertTrue(stored.values().stream().allMatch(n -> n == 1));
      ClientStats s = vellum.stats();
      assertEquals(10_000, s.sent());
      assertEquals(0, s.failed());
    }
  }

  @Test
  void serverStoppedForTenSecondsMidStream_nothingIsLostOrDuplicated() throws Exception {
    int port = Stored.freePort();
    TestNode node = TestNode.start(tmp.resolve("node"), c -> c.withPort(port));
    try (VellumClient vellum =
        client("http://127.0.0.1:" + port).spool(tmp.resolve("spool")).build()) {
      List<CompletableFuture<Receipt>> receipts = new ArrayList<>();
      Thread producer =
          new Thread(
              () -> {
                for (int i = 0; i < 3000; i++) {
                  receipts.add(vellum.record(Stored.login("outage-" + i, "outage")));
                  if (i % 100 == 99) {
                    try {
                      Thread.sleep(100);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                }
              });
      producer.start();
      while (vellum.stats().sent() < 500) {
        Thread.sleep(10);
      }
      node.restart(() -> sleepSeconds(10)); // producer keeps recording all along
      producer.join();
      assertTrue(vellum.flush(Duration.ofSeconds(60)), vellum.stats().toString());
      for (CompletableFuture<Receipt> f : receipts) {
        assertTrue(f.get().committed());
      }
      ClientStats s = vellum.stats();
      assertTrue(s.retried() > 0, "the outage was noticed: " + s);
      assertEquals(0, s.failed(), s.toString());
      Map<String, Integer> stored = Stored.idsTagged(node, "outage");
      assertEquals(3000, stored.size());
      assertTrue(stored.values().stream().allMatch(n -> n == 1));
    } finally {
      node.close();
    }
  }

  @Test
  void rateLimited_retriesNoSoonerThanRetryAfter_andDeliversEverything() throws Exception {
    List<Duration> delaysAfter429 = new CopyOnWriteArrayList<>();
    VellumListener listener =
        new VellumListener() {
          @Override
          public void onRetry(int attempt, int events, Duration delay, String reason) {
            if (reason.startsWith("HTTP 429")) {
              delaysAfter429.add(delay);
            }
          }
        };
    try (TestNode node =
        TestNode.start(
            tmp.resolve("node"), c -> c.withRateLimit(new VellumConfig.RateLimit(5, 5)))) {
      VellumClient vellum =
          client(node.url("")).maxBatchEvents(10).linger(Duration.ZERO).listener(listener).build();
      List<CompletableFuture<Receipt>> receipts = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        receipts.add(vellum.record(Stored.login("limited-" + i, "rate-limited")));
      }
      assertTrue(vellum.close(Duration.ofSeconds(60)), vellum.stats().toString());
      for (CompletableFuture<Receipt> f : receipts) {
        assertTrue(f.get().committed());
      }
      assertTrue(!delaysAfter429.isEmpty(), "the limit was hit");
      for (Duration d : delaysAfter429) {
        assertTrue(d.compareTo(Duration.ofSeconds(1)) >= 0, "Retry-After ≥ 1 s honoured: " + d);
      }
      assertEquals(200, Stored.idsTagged(node, "rate-limited").size());
    }
  }

  @Test
  void rejectedEvent_failsItsFutureWithThePointer_andItsNeighboursAreStored() throws Exception {
    List<String> failedIds = new CopyOnWriteArrayList<>();
    try (TestNode node = TestNode.start(tmp.resolve("node"))) {
      VellumClient vellum =
          client(node.url(""))
              .linger(Duration.ofMillis(200))
              .listener(
                  new VellumListener() {
                    @Override
                    public void onFailed(String eventId, VellumException cause) {
                      failedIds.add(eventId);
                    }
                  })
              .build();
      CompletableFuture<Receipt> good = vellum.record(Stored.login("alice", "rejects"));
      CompletableFuture<Receipt> bad =
          vellum.record(AuditEvent.type("LOGIN_SUCCESSFUL").metadata("login_method", "PASSWORD"));
      assertTrue(vellum.close(Duration.ofSeconds(10)));
      assertEquals(Receipt.Status.ACCEPTED, good.get().status());
      ExecutionException e = assertThrows(ExecutionException.class, bad::get);
      RejectedEventException rejected = (RejectedEventException) e.getCause();
      assertTrue(
          rejected.errors().stream().anyMatch(err -> err.pointer().startsWith("/actor")),
          rejected.errors().toString());
      assertEquals(List.of(rejected.eventId()), failedIds);
      assertEquals(1, vellum.stats().failed());
      assertEquals(1, Stored.idsTagged(node, "rejects").size());
    }
  }

  @Test
  void sameIdRecordedByTwoClients_isStoredOnce_theSecondReceiptIsADuplicateWithTheSameSeq()
      throws Exception {
    try (TestNode node = TestNode.start(tmp.resolve("node"))) {
      AuditEvent e =
          Stored.login("bob", "twice")
              .id("0190f3c2-8d4e-7b1a-9c3f-2a5e6d7f8a9b")
              .occurredAt(java.time.Instant.parse("2026-01-01T00:00:00Z"));
      Receipt first;
      Receipt second;
      try (VellumClient a = client(node.url("")).build()) {
        first = a.record(e).get();
      }
      try (VellumClient b = client(node.url("")).build()) {
        second = b.record(e).get();
      }
      assertEquals(Receipt.Status.ACCEPTED, first.status());
      assertEquals(Receipt.Status.DUPLICATE, second.status());
      assertEquals(first.seq(), second.seq());
      assertEquals(first.leafHash(), second.leafHash());
    }
  }

  @Test
  void receipt_inclusionVerifiesAgainstThePinnedKey_andFailsAgainstAnother() throws Exception {
    try (TestNode node = TestNode.start(tmp.resolve("node"));
        TestNode other = TestNode.start(tmp.resolve("other"))) {
      String pinned = node.get("/v1/log/key", TestNode.ADMIN_KEY).raw().body().trim();
      String foreign = other.get("/v1/log/key", TestNode.ADMIN_KEY).raw().body().trim();
      try (VellumClient vellum = client(node.url("")).build()) {
        Receipt r = vellum.record(Stored.login("carol", "proof")).get();
        VerifiedInclusion v = vellum.verifyInclusion(r, pinned, Duration.ofSeconds(10));
        assertEquals(r.seq(), v.seq());
        assertTrue(v.treeSize() > r.seq());
        assertThrows(
            IntegrityException.class,
            () -> vellum.verifyInclusion(r, foreign, Duration.ofSeconds(10)));
      }
    }
  }

  @Test
  void recordLegacy_storesTheReferenceFlatEvent_andRefusesAnInvalidOneWithTheReferenceField()
      throws Exception {
    try (TestNode node = TestNode.start(tmp.resolve("node"));
        VellumClient vellum = client(node.url("")).build()) {
      Receipt r =
          vellum
              .recordLegacy(
                  Map.of(
                      "initiatorsystemcode",
                      "DEMO_APP",
                      "eventtype",
                      "LOGIN_SUCCESSFUL",
                      "requestorid",
                      "dave",
                      "requestorip",
                      "198.51.100.4",
                      "timestamp",
                      "1764235200000",
                      "loginmethod",
                      "SSO"))
              .get();
      assertEquals(Receipt.Status.ACCEPTED, r.status());
      TestNode.Reply stored = node.get("/v1/events/" + r.id(), TestNode.ADMIN_KEY);
      assertEquals("dave", stored.body().at("/actor/id").asText());
      assertEquals("SSO", stored.body().at("/metadata/login_method").asText());

      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> vellum.recordLegacy(Map.of("initiatorsystemcode", "DEMO_APP")).get());
      RejectedEventException rejected = (RejectedEventException) e.getCause();
      assertTrue(
          rejected.errors().stream().anyMatch(x -> x.pointer().equals("/requestorid")),
          rejected.errors().toString());
    }
  }

  private static void sleepSeconds(int s) {
    try {
      Thread.sleep(s * 1000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
