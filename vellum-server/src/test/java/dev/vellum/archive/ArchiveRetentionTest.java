package dev.vellum.archive;

import static dev.vellum.testing.Eventually.eventually;
import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.store.RecordStore;
import dev.vellum.testing.S3Proxy;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archive retention and legal holds on a real node: events archived with an {@code occurred_at}
 * eleven years back are past the default seven-year retention; the tests run the retention job
 * directly (its own schedule is an hour away) and read the log through the search API.
 */
class ArchiveRetentionTest {
  static final String OLD_DAY = "2015-01-02";

  @TempDir Path dir;

  static TestNode retentionNode(Path dir) {
    return TestNode.start(
        dir,
        c ->
            c.withArchive(
                c.archive()
                    .withBuffer(64 * 1024, Duration.ofMillis(200))
                    .withRetention(c.archive().retention(), Map.of(), Duration.ofHours(1))));
  }

  /** An event of {@code actor} on {@code target} at {@code time}. */
  static ObjectNode event(TestNode node, String time, String actor, String target) {
    ObjectNode e = node.loginEvent(actor);
    e.put("occurred_at", time);
    e.putArray("targets").addObject().put("type", "account").put("id", target);
    return e;
  }

  static List<RecordStore.Entry> files(TestNode node, String tenant) {
    return node.node().records().list(ArchiveRecords.FILE, tenant, null, "", 10_000);
  }

  static ArchiveRetention retention(TestNode node) {
    return node.node().archive().orElseThrow().retention();
  }

  static String placeHold(TestNode node, String key, String body) {
    Reply r = node.post("/v1/holds", key, body);
    assertEquals(201, r.status(), () -> r.raw().body());
    return r.body().path("id").asText();
  }

  /** The tenant's events of a system type, once the search index has them all. */
  static JsonNode systemEvents(TestNode node, String key, String type, int count) {
    return eventually(
        count + " " + type + " events",
        () -> {
          Reply r = node.get("/v1/events?source=VELLUM&type=" + type + "&limit=100", key);
          return r.status() == 200 && r.body().path("events").size() == count
              ? r.body().path("events")
              : null;
        });
  }

  /** Archives two old events (one file) and one recent event; answers the old file's record. */
  static RecordStore.Entry archiveOldAndNew(TestNode node) throws InterruptedException {
    // one request, one commit, one feed batch: the three are sealed together
    com.fasterxml.jackson.databind.node.ArrayNode batch = node.json.createArrayNode();
    batch.add(event(node, OLD_DAY + "T10:00:00Z", "user-old", "acct-1"));
    batch.add(event(node, OLD_DAY + "T11:00:00Z", "user-old", "acct-2"));
    batch.add(event(node, java.time.Instant.now().minusSeconds(60).toString(), "u", "acct-3"));
    Reply r = node.post("/v1/events", ADMIN_KEY, batch);
    assertEquals(200, r.status(), () -> r.raw().body());
    ArchiverTest.awaitArchived(node, "default", 2);
    List<RecordStore.Entry> old =
        files(node, "default").stream()
            .filter(f -> ArchiveRecords.manifest(f).day().equals(OLD_DAY))
            .toList();
    assertEquals(1, old.size(), "the two old events share one file");
    return old.get(0);
  }

  private static Path objectFile(TestNode node, String key) {
    return node.dataDir().resolve("archive").resolve(key);
  }

  private static String status(TestNode node, RecordStore.Entry file) {
    return node.node()
        .records()
        .get(ArchiveRecords.FILE, file.tenant(), file.id())
        .orElseThrow()
        .status();
  }

  @Test
  void keepsHeldRangeThroughRetentionRunAndDeletesItAfterRelease() throws Exception {
    try (TestNode node = retentionNode(dir)) {
      RecordStore.Entry old = archiveOldAndNew(node);
      String hold =
          placeHold(
              node,
              ADMIN_KEY,
              "{\"reason\":\"litigation\",\"case_reference\":\"CASE-7\","
                  + "\"from\":\"2015-01-02T00:00:00Z\",\"to\":\"2015-01-03T00:00:00Z\"}");

      ArchiveRetention.Report first = retention(node).runOnce();
      assertEquals(0, first.deleted());
      assertEquals(1, first.held());
      assertTrue(Files.isRegularFile(objectFile(node, old.id())), "held file survives");
      assertEquals(ArchiveRecords.SEALED, status(node, old));
      JsonNode placed = systemEvents(node, ADMIN_KEY, "LEGAL_HOLD_PLACED", 1).get(0);
      assertEquals(hold, placed.at("/metadata/hold_id").asText());
      assertEquals("CASE-7", placed.at("/metadata/case_reference").asText());

      assertEquals(204, node.send("DELETE", "/v1/holds/" + hold, ADMIN_KEY, null, null).status());
      systemEvents(node, ADMIN_KEY, "LEGAL_HOLD_RELEASED", 1);

      ArchiveRetention.Report second = retention(node).runOnce();
      assertEquals(1, second.deleted());
      assertFalse(Files.exists(objectFile(node, old.id())), "released file is deleted");
      assertFalse(Files.exists(objectFile(node, ArchiveLayout.manifestKey(old.id()))));
      assertEquals(ArchiveRecords.DELETED, status(node, old));
      Manifest m = ArchiveRecords.manifest(old);
      JsonNode deleted = systemEvents(node, ADMIN_KEY, "ARCHIVE_FILES_DELETED", 1).get(0);
      JsonNode f = deleted.at("/metadata/files/0");
      assertEquals(old.id(), f.path("key").asText());
      assertEquals(m.firstSeq(), f.path("first_seq").asLong());
      assertEquals(m.lastSeq(), f.path("last_seq").asLong());
      assertEquals(m.firstSeq(), f.at("/seq_ranges/0/0").asLong());
      assertEquals(2, deleted.at("/metadata/event_count").asLong());

      // the recent file is within retention; a third run deletes nothing more
      assertEquals(0, retention(node).runOnce().deleted());
      assertEquals(
          1,
          files(node, "default").stream()
              .filter(e -> ArchiveRecords.SEALED.equals(e.status()))
              .count());
    }
  }

  @Test
  void holdsByActorAndByTargetKeepOnlyFilesHoldingAMatchingEvent() throws Exception {
    try (TestNode node = retentionNode(dir)) {
      RecordStore.Entry old = archiveOldAndNew(node);
      String byActor = placeHold(node, ADMIN_KEY, "{\"reason\":\"r\",\"actor_id\":\"user-old\"}");
      String noMatch = placeHold(node, ADMIN_KEY, "{\"reason\":\"r\",\"actor_id\":\"nobody\"}");
      assertEquals(1, retention(node).runOnce().held(), "the actor's file is held");
      node.send("DELETE", "/v1/holds/" + byActor, ADMIN_KEY, null, null);

      String byTarget = placeHold(node, ADMIN_KEY, "{\"reason\":\"r\",\"target_id\":\"acct-2\"}");
      assertEquals(1, retention(node).runOnce().held(), "the target's file is held");
      assertTrue(Files.isRegularFile(objectFile(node, old.id())));
      node.send("DELETE", "/v1/holds/" + byTarget, ADMIN_KEY, null, null);

      placeHold(
          node,
          ADMIN_KEY,
          "{\"reason\":\"r\",\"target_id\":\"acct-1\",\"from\":\"2015-01-02T10:30:00Z\"}");
      ArchiveRetention.Report r = retention(node).runOnce();
      assertEquals(1, r.deleted(), "acct-1's event is before the hold's range: not covered");
      assertFalse(Files.exists(objectFile(node, old.id())));
      assertEquals(
          200, node.get("/v1/holds/" + noMatch, ADMIN_KEY).status(), "holds stay until released");
    }
  }

  @Test
  void deletesFromTheS3StoreOnlyWhatNoHoldCovers() throws Exception {
    try (S3Proxy s3 = S3Proxy.start(Files.createDirectories(dir.resolve("s3")));
        TestNode node =
            TestNode.start(
                dir.resolve("node"),
                c ->
                    c.withArchive(
                        c.archive()
                            .withBuffer(64 * 1024, Duration.ofMillis(200))
                            .withS3(s3.settings("audit/archive"))
                            .withRetention(
                                c.archive().retention(), Map.of(), Duration.ofHours(1))))) {
      RecordStore.Entry old = archiveOldAndNew(node);
      String blob = "audit/archive/" + old.id();
      assertTrue(s3.blobs().blobExists(S3Proxy.BUCKET, blob));
      String hold = placeHold(node, ADMIN_KEY, "{\"reason\":\"r\",\"target_id\":\"acct-1\"}");
      assertEquals(1, retention(node).runOnce().held(), "read from S3 with DuckDB: held");
      assertTrue(s3.blobs().blobExists(S3Proxy.BUCKET, blob));
      node.send("DELETE", "/v1/holds/" + hold, ADMIN_KEY, null, null);
      assertEquals(1, retention(node).runOnce().deleted());
      assertFalse(s3.blobs().blobExists(S3Proxy.BUCKET, blob));
      assertFalse(s3.blobs().blobExists(S3Proxy.BUCKET, blob + ArchiveLayout.MANIFEST_SUFFIX));
      systemEvents(node, ADMIN_KEY, "ARCHIVE_FILES_DELETED", 1);
    }
  }

  @Test
  void aDeletionInterruptedAfterItsIntentIsCompletedByTheNextRunWithOneEvent() throws Exception {
    try (TestNode node = retentionNode(dir)) {
      RecordStore.Entry old = archiveOldAndNew(node);
      // a crash after step 1 and 2 (intent written, event recorded), before the objects went:
      // recorded here by running the first steps, then restarting the node
      ArchiveRetention r = retention(node);
      RecordStore.Entry intent =
          r.beginForTest("default", List.of(old), Duration.ofDays(2557), java.time.Instant.now());
      node.node()
          .ingest()
          .recordSystemEvent(
              "default", (ObjectNode) node.json.readTree(intent.body()).get("event").deepCopy());
      node.restart();
      assertTrue(Files.isRegularFile(objectFile(node, old.id())), "not yet deleted");
      assertEquals(ArchiveRetention.DELETING, status(node, old));

      ArchiveRetention.Report next = retention(node).runOnce();
      assertEquals(0, next.deleted(), "nothing new was due: the pending one was completed");
      assertFalse(Files.exists(objectFile(node, old.id())));
      assertEquals(ArchiveRecords.DELETED, status(node, old));
      systemEvents(node, ADMIN_KEY, "ARCHIVE_FILES_DELETED", 1);
    }
  }

  @Test
  void rejectsBadHoldsNamingTheField() {
    try (TestNode node = retentionNode(dir)) {
      Reply noReason = node.post("/v1/holds", ADMIN_KEY, "{\"source\":\"DEMO_APP\"}");
      assertEquals(422, noReason.status(), () -> noReason.raw().body());
      assertTrue(noReason.contentType().startsWith("application/problem+json"));
      assertEquals("/reason", noReason.body().at("/errors/0/pointer").asText());

      Reply badTime =
          node.post(
              "/v1/holds",
              ADMIN_KEY,
              "{\"reason\":\"r\",\"from\":\"yesterday\",\"unknown\":1,\"source\":\"a b\"}");
      assertEquals(422, badTime.status());
      String pointers = badTime.body().path("errors").toString();
      assertTrue(pointers.contains("/from"), pointers);
      assertTrue(pointers.contains("/unknown"), pointers);
      assertTrue(pointers.contains("/source"), pointers);

      Reply backwards =
          node.post(
              "/v1/holds",
              ADMIN_KEY,
              "{\"reason\":\"r\",\"from\":\"2020-01-02T00:00:00Z\",\"to\":\"2020-01-01T00:00:00Z\"}");
      assertEquals("/to", backwards.body().at("/errors/0/pointer").asText());

      Reply tooLong =
          node.post("/v1/holds", ADMIN_KEY, "{\"reason\":\"" + "x".repeat(1001) + "\"}");
      assertEquals("/reason", tooLong.body().at("/errors/0/pointer").asText());

      for (int i = 0; i < LegalHolds.MAX_PER_TENANT; i++) {
        placeHold(node, ADMIN_KEY, "{\"reason\":\"hold " + i + "\"}");
      }
      Reply full = node.post("/v1/holds", ADMIN_KEY, "{\"reason\":\"one more\"}");
      assertEquals(409, full.status(), () -> full.raw().body());
      assertEquals(
          LegalHolds.MAX_PER_TENANT, node.get("/v1/holds", ADMIN_KEY).body().path("holds").size());
    }
  }

  @Test
  void aTenantNeitherSeesNorReleasesAnotherTenantsHolds() {
    try (TestNode node = retentionNode(dir)) {
      Reply acme = node.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"acme\"}");
      assertEquals(201, acme.status(), () -> acme.raw().body());
      String acmeKey = acme.body().path("api_key").asText();
      String defaultHold = placeHold(node, ADMIN_KEY, "{\"reason\":\"default's case\"}");
      String acmeHold = placeHold(node, acmeKey, "{\"reason\":\"acme's case\"}");

      assertEquals(1, node.get("/v1/holds", acmeKey).body().path("holds").size());
      assertEquals(acmeHold, node.get("/v1/holds", acmeKey).body().at("/holds/0/id").asText());
      assertEquals(404, node.get("/v1/holds/" + defaultHold, acmeKey).status());
      assertEquals(
          404, node.send("DELETE", "/v1/holds/" + defaultHold, acmeKey, null, null).status());
      assertEquals(200, node.get("/v1/holds/" + defaultHold, ADMIN_KEY).status());
      assertEquals(1, node.get("/v1/holds", ADMIN_KEY).body().path("holds").size());
    }
  }
}
