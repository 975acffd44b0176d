package dev.vellum.feed;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vellum.app.VellumNode;
import dev.vellum.config.VellumConfig;
import dev.vellum.search.SearchIndex;
import dev.vellum.search.SearchQuery;
import dev.vellum.search.StatsBucket;
import dev.vellum.search.StatsQuery;
import dev.vellum.store.EventStore;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.StoredEvent;
import dev.vellum.store.WriteBatch;
import dev.vellum.testing.Eventually;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The feed and the writer seen from outside: consumers, dead letters, failures, read paths. */
@Timeout(120)
class FeedApiTest {
  private static final FeedSettings FAST =
      new FeedSettings(100, 3, Duration.ofMillis(5), Duration.ofMillis(50), 4_000_000);

  @TempDir Path dir;

  private static VellumNode.Extensions with(List<FeedConsumer> consumers) {
    return new VellumNode.Extensions(s -> s, s -> s, consumers, FAST);
  }

  private static JsonNode consumer(TestNode node, String name) {
    for (JsonNode c : node.get("/v1/admin/consumers", ADMIN_KEY).body().get("consumers")) {
      if (c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no consumer " + name);
  }

  @Test
  void listsTheSearchIndexAmongTheConsumersForOperatorsOnly() {
    try (TestNode node = TestNode.start(dir)) {
      node.post("/v1/events", ADMIN_KEY, node.loginEvent("alice"));
      Reply r = node.get("/v1/admin/consumers", ADMIN_KEY);
      assertEquals(200, r.status(), r.raw().body());
      JsonNode search = consumer(node, SearchIndex.CONSUMER);
      assertEquals("running", search.get("state").asText());
      assertTrue(
          search.has("lag_events")
              && search.has("lag_seconds")
              && search.has("dead_letters")
              && search.has("position"));
      String reader =
          node.post("/v1/keys", ADMIN_KEY, "{\"name\":\"r\",\"scopes\":[\"events:read\"]}")
              .body()
              .get("api_key")
              .asText();
      Reply denied = node.get("/v1/admin/consumers", reader);
      assertEquals(403, denied.status());
      assertEquals("application/problem+json", denied.contentType());
    }
  }

  @Test
  void deadLettersAPoisonEventShowsItAndKeepsGoing() {
    List<String> handled = Collections.synchronizedList(new ArrayList<>());
    FeedConsumer poisonAverse =
        new FeedConsumer() {
          @Override
          public String name() {
            return "poison-averse";
          }

          @Override
          public void accept(List<FeedEvent> events) {
            for (FeedEvent e : events) {
              if ("poison".equals(e.event().actorId())) {
                throw new IllegalStateException("cannot handle the poison actor");
              }
            }
            events.forEach(e -> handled.add(e.event().actorId()));
          }
        };
    try (TestNode node = TestNode.start(dir, c -> c, with(List.of(poisonAverse)))) {
      for (String actor : List.of("before", "poison", "after")) {
        assertEquals(200, node.post("/v1/events", ADMIN_KEY, node.loginEvent(actor)).status());
      }
      Eventually.until(
          "the poison event is dead-lettered",
          () ->
              consumer(node, "poison-averse").get("dead_letters").asLong() == 1
                  && handled.contains("after"));
      JsonNode status = consumer(node, "poison-averse");
      assertEquals("running", status.get("state").asText());
      assertTrue(status.get("last_error").asText().contains("poison actor"));
      JsonNode letters =
          node.get("/v1/admin/consumers/poison-averse/dead-letters", ADMIN_KEY)
              .body()
              .get("dead_letters");
      assertEquals(1, letters.size());
      assertTrue(letters.get(0).get("error").asText().contains("poison actor"));
      assertTrue(handled.containsAll(List.of("before", "after")));
      assertTrue(
          node.get("/metrics", null)
              .raw()
              .body()
              .contains("vellum_feed_consumer_dead_letters_total{consumer=\"poison-averse\"} 1.0"));
      assertEquals(200, node.get("/health/ready", null).status());
    }
  }

  @Test
  void anErrorInTheWriterTurnsReadinessRedAndWritesGet503() {
    AtomicBoolean explode = new AtomicBoolean();
    VellumNode.Extensions ext =
        new VellumNode.Extensions(store -> failingAppends(store, explode), s -> s, List.of(), FAST);
    try (TestNode node = TestNode.start(dir, c -> c, ext)) {
      assertEquals(200, node.post("/v1/events", ADMIN_KEY, node.loginEvent("a")).status());
      explode.set(true);
      Reply first = node.post("/v1/events", ADMIN_KEY, node.loginEvent("b"));
      assertEquals(503, first.status(), first.raw().body());
      assertTrue(first.body().get("type").asText().endsWith("/commit-outcome-unknown"));
      Reply next = node.post("/v1/events", ADMIN_KEY, node.loginEvent("c"));
      assertEquals(503, next.status());
      assertTrue(next.body().get("type").asText().endsWith("/writer-stopped"));
      Reply ready = node.get("/health/ready", null);
      assertEquals(503, ready.status());
      assertTrue(ready.body().get("reason").asText().contains("writer stopped"));
    }
  }

  /**
   * The real store, except that appending events throws an Error once {@code explode} is set
   * (checkpoints and positions still commit, so the request's own batch is the one that fails).
   */
  private static EventStore failingAppends(EventStore real, AtomicBoolean explode) {
    return (EventStore)
        Proxy.newProxyInstance(
            EventStore.class.getClassLoader(),
            new Class<?>[] {EventStore.class},
            (proxy, method, args) -> {
              if (method.getName().equals("append") && args.length == 2) {
                // the writer stages inside the store's transaction: fail once the batch is staged
                EventStore.Stager stager = (EventStore.Stager) args[1];
                @SuppressWarnings("unchecked")
                java.util.Set<String> tenants = (java.util.Set<String>) args[0];
                return real.append(
                    tenants,
                    heads -> {
                      WriteBatch batch = stager.stage(heads);
                      if (explode.get() && !batch.events().isEmpty()) {
                        throw new OutOfMemoryError("injected into the writer");
                      }
                      return batch;
                    });
              }
              if (method.getName().equals("append")
                  && explode.get()
                  && !((WriteBatch) args[0]).events().isEmpty()) {
                throw new OutOfMemoryError("injected into the writer");
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** The real index, except that indexing waits while {@code closed} is set. */
  private static SearchIndex gated(SearchIndex real, AtomicBoolean closed) {
    return new SearchIndex() {
      @Override
      public List<StoredEvent> search(SearchQuery query) {
        return real.search(query);
      }

      @Override
      public List<StatsBucket> stats(StatsQuery query) {
        return real.stats(query);
      }

      @Override
      public void accept(List<FeedEvent> events) throws Exception {
        while (closed.get()) {
          Thread.sleep(5);
        }
        real.accept(events);
      }

      @Override
      public long resumeFrom(long storedPosition) {
        return real.resumeFrom(storedPosition);
      }

      @Override
      public void close() {
        closed.set(false);
        real.close();
      }
    };
  }

  @Test
  void aTenantsSearchWaitsOnlyForItsOwnWrites() {
    AtomicBoolean gate = new AtomicBoolean();
    VellumNode.Extensions ext =
        new VellumNode.Extensions(s -> s, s -> gated(s, gate), List.of(), FAST);
    try (TestNode node = TestNode.start(dir, c -> c, ext)) {
      String acme =
          node.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"acme\"}").body().get("api_key").asText();
      node.put("/v1/sources/ACME_APP", acme, "{}");
      assertEquals(200, node.post("/v1/events", acme, acmeEvent(node, "early")).status());
      assertEquals(1, search(node, acme, "early").size());
      gate.set(true); // the index stops moving
      ArrayNode flood = node.json.createArrayNode();
      for (int i = 0; i < 200; i++) {
        flood.add(node.loginEvent("flood-" + i));
      }
      assertEquals(200, node.post("/v1/events", ADMIN_KEY, flood).status());
      Reply unaffected = node.get("/v1/events?actor_id=early", acme);
      assertEquals(200, unaffected.status(), unaffected.raw().body());
      assertEquals(200, node.post("/v1/events", acme, acmeEvent(node, "late")).status());
      Reply behind = node.get("/v1/events?actor_id=late", acme);
      assertEquals(200, behind.status(), "a search is not refused while the index is held");
      assertEquals(0, behind.body().get("events").size(), "the late event is not indexed yet");
      assertTrue(
          Long.parseLong(behind.header("Vellum-Search-Behind")) > 0,
          "and the answer says the index is behind");
      assertEquals(null, unaffected.header("Vellum-Search-Behind"));
      gate.set(false);
      assertEquals(1, search(node, acme, "late").size());
    }
  }

  private static JsonNode acmeEvent(TestNode node, String actor) {
    return node.loginEvent(actor).put("source", "ACME_APP");
  }

  private static JsonNode search(TestNode node, String key, String actor) {
    Reply r = node.get("/v1/events?actor_id=" + actor, key);
    assertEquals(200, r.status(), r.raw().body());
    return r.body().get("events");
  }

  @Test
  void readsUnderSaturatedIngestNeverGet503AndAreAllRecorded() throws Exception {
    try (TestNode node =
        TestNode.start(
            dir,
            c ->
                c.withIngest(
                    new VellumConfig.Ingest(
                        100,
                        4L << 20,
                        1L << 20,
                        Duration.ofMinutes(5),
                        100,
                        100,
                        0,
                        Duration.ZERO)))) {
      AtomicBoolean flooding = new AtomicBoolean(true);
      AtomicInteger rejectedWrites = new AtomicInteger();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        Thread t =
            new Thread(
                () -> {
                  ArrayNode batch = node.json.createArrayNode();
                  for (int i = 0; i < 100; i++) {
                    batch.add(node.loginEvent("writer"));
                  }
                  while (flooding.get()) {
                    if (node.post("/v1/events", ADMIN_KEY, batch).status() == 503) {
                      rejectedWrites.incrementAndGet();
                    }
                  }
                });
        t.start();
        writers.add(t);
      }
      int reads = 40;
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < reads; i++) {
        statuses.add(node.get("/v1/events?limit=5&actor_id=reader-" + i, ADMIN_KEY).status());
      }
      flooding.set(false);
      for (Thread t : writers) {
        t.join();
      }
      assertEquals(Set.of(200), Set.copyOf(statuses));
      assertTrue(rejectedWrites.get() > 0, "ingest was never saturated");
      Eventually.until(
          "every read has its access record",
          () -> {
            Set<String> recorded = new java.util.HashSet<>();
            for (JsonNode e :
                node.get("/v1/events?type=AUDIT_LOG_ACCESSED&limit=1000", ADMIN_KEY)
                    .body()
                    .get("events")) {
              recorded.add(e.path("metadata").path("filter").path("actor_id").asText());
            }
            for (int i = 0; i < reads; i++) {
              if (!recorded.contains("reader-" + i)) {
                return false;
              }
            }
            return true;
          });
    }
  }
}
