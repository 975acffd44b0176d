package dev.vellum.archive;

import static dev.vellum.testing.Eventually.eventually;
import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.objectstore.Sha256;
import dev.vellum.rules.RuleEngine;
import dev.vellum.store.EventStore;
import dev.vellum.store.RecordStore;
import dev.vellum.store.StoredEvent;
import dev.vellum.testing.S3Proxy;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore end to end on a real node: events sealed into the archive and deleted from the hot store
 * by hot retention come back for an investigation with their seq, id and leaf hash, marked
 * restored, found once by every read, ignored by the rules engine, and removed again when their
 * restore ends; a restore that meets a file that does not match itself or the Merkle log inserts
 * nothing.
 */
@Timeout(240)
class RestoreTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TENANT = "default";
  @TempDir Path dir;

  private static TestNode directoryNode(Path dataDir) {
    return TestNode.start(
        dataDir,
        c ->
            c.withArchive(
                c.archive()
                    .withBuffer(64 * 1024, Duration.ofMillis(200))
                    .withHotRetention(Duration.ofDays(30), Map.of())));
  }

  /** Ingests, seals and expires from hot; returns the deleted events as they were stored. */
  private static List<StoredEvent> archivedAndExpired(TestNode node) throws Exception {
    ArchiverTest.ingest(node, 6, "LOGIN_SUCCESSFUL");
    ArchiverTest.ingest(node, 4, "LOGIN_FAILED");
    EventStore store = node.node().store();
    long last = store.nextSeq(TENANT) - 1;
    ArchiverTest.awaitArchived(node, TENANT, last);
    List<StoredEvent> before = store.range(TENANT, 0, last + 1);
    assertEquals(last + 1, before.size());
    HotRetention.Result run =
        node.node().archive().orElseThrow().expireHot(HotRetentionTest.ahead(Duration.ofDays(31)));
    assertEquals(List.of(), run.failures());
    assertEquals(List.of(), store.range(TENANT, 0, last + 1), "expired from the hot store");
    return before;
  }

  private static ObjectNode range(List<StoredEvent> events) {
    long min = events.stream().mapToLong(StoredEvent::occurredAtMicros).min().orElseThrow();
    long max = events.stream().mapToLong(StoredEvent::occurredAtMicros).max().orElseThrow();
    return JSON.createObjectNode()
        .put("from", micros(min).toString())
        .put("to", micros(max + 1_000).toString());
  }

  private static Instant micros(long micros) {
    return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000);
  }

  private static int alertCount(TestNode node) {
    Reply r = node.get("/v1/alerts?limit=100", ADMIN_KEY);
    assertEquals(200, r.status(), r.raw().body());
    return r.body().path("alerts").size();
  }

  /** {@code vellum_rules_matches_total}: rule firings before suppression. */
  private static double ruleMatches(TestNode node) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?m)^vellum_rules_matches_total(?:\\{\\})? ([0-9.E]+)$")
            .matcher(node.get("/metrics", null).raw().body());
    assertTrue(m.find(), "the rules metric is exported");
    return Double.parseDouble(m.group(1));
  }

  /** Waits until the named feed consumer has handled everything up to {@code position}. */
  private static void awaitConsumer(TestNode node, String name, long position) {
    eventually(
        name + " reaches position " + position,
        () -> {
          for (JsonNode c : node.get("/v1/admin/consumers", ADMIN_KEY).body().path("consumers")) {
            if (c.path("name").asText().equals(name) && c.path("position").asLong() >= position) {
              return true;
            }
          }
          return null;
        });
  }

  @Test
  void restoresAnArchivedRangeOnceMarkedRestoredAndRetentionRemovesItWhenItsTimeIsUp()
      throws Exception {
    try (TestNode node = directoryNode(dir.resolve("node"))) {
      // a rule that fires on every failed login (suppression over within a second): it must not
      // fire again for the restored ones
      String rule =
          "{\"name\":\"Each failure\",\"severity\":\"warning\",\"pattern\":{\"type\":"
              + "[\"LOGIN_FAILED\"]},\"group_by\":[\"actor.id\"],\"suppress_seconds\":1}";
      Reply created = node.post("/v1/rules", ADMIN_KEY, rule);
      assertEquals(201, created.status(), created.raw().body());
      List<StoredEvent> before = archivedAndExpired(node);
      int alerts = eventually("4 alerts", () -> alertCount(node) == 4 ? 4 : null);
      // a new revision starts the rule's windows afresh: restored failures, were they evaluated,
      // would each fire again
      Reply edited =
          node.put(
              "/v1/rules/" + created.body().path("id").asText(),
              ADMIN_KEY,
              rule.replace("Each failure", "Each failed login"));
      assertEquals(200, edited.status(), edited.raw().body());
      EventStore store = node.node().store();
      long nextSeq = store.nextSeq(TENANT);
      String logKey = node.get("/v1/log/key", ADMIN_KEY).raw().body().strip();

      awaitConsumer(node, RuleEngine.NAME, store.lastPosition());
      double matchesBefore = ruleMatches(node);
      Reply restored = node.post("/v1/archive/restores", ADMIN_KEY, range(before));
      assertEquals(201, restored.status(), restored.raw().body());
      JsonNode r = restored.body();
      long count = r.path("count").asLong();
      assertTrue(count >= before.size(), r.toString());
      assertEquals(0, r.path("already_hot").asLong(), r.toString());
      assertTrue(r.path("file_count").asInt() >= 2, r.toString());
      assertNoRestoredAtOrAfter(store, nextSeq);

      // the same events, same seq and leaf hash, hot again and marked restored
      Map<Long, StoredEvent> hot =
          store.findBySeqs(TENANT, before.stream().map(StoredEvent::seq).toList());
      assertEquals(before.size(), hot.size());
      for (StoredEvent e : before) {
        StoredEvent back = hot.get(e.seq());
        assertEquals(e.id(), back.id());
        assertEquals(e.body(), back.body());
        assertArrayEquals(e.leafHash(), back.leafHash());
        assertNotNull(back.restoredUntilMicros());
        Reply got = node.get("/v1/events/" + e.id(), ADMIN_KEY);
        assertEquals(200, got.status(), got.raw().body());
        assertTrue(got.body().path("restored").asBoolean(), got.raw().body());
        assertEquals(r.path("until").asText(), got.body().path("restored_until").asText());
        assertEquals(null, got.header("Vellum-Archived-In"), "served from the hot store");
        assertEquals(
            Base64.getEncoder().encodeToString(e.leafHash()),
            got.body().path("leaf_hash").asText());
        assertEquals(e.seq(), got.body().path("seq").asLong());
        Reply proof = node.get("/v1/events/" + e.id() + "/proof", ADMIN_KEY);
        assertEquals(200, proof.status(), proof.raw().body());
      }

      // a search finds each of them once, marked
      Map<String, Integer> found =
          eventually(
              "the index has the restored events",
              () -> {
                Map<String, Integer> seen = new HashMap<>();
                Reply s =
                    node.get(
                        "/v1/events?limit=500&from=" + range(before).get("from").asText(),
                        ADMIN_KEY);
                for (JsonNode e : s.body().path("events")) {
                  if (e.path("restored").asBoolean()) {
                    seen.merge(e.path("id").asText(), 1, Integer::sum);
                  }
                }
                return before.stream().allMatch(e -> seen.containsKey(e.id())) ? seen : null;
              });
      for (StoredEvent e : before) {
        assertEquals(1, found.get(e.id()), "found once: " + e.id());
      }

      // the rules engine saw them and fired nothing
      awaitConsumer(node, RuleEngine.NAME, store.lastPosition());
      assertEquals(matchesBefore, ruleMatches(node), "no rule matched a restored event");
      assertEquals(alerts, alertCount(node), "no alert again for restored events");

      // analytics counts each event once
      long last = before.get(before.size() - 1).seq();
      HotRetentionTest.assertAnalyticsCountsEachOnce(node, before, last);

      // the log verifies online (restored events served and proven) and offline
      String online =
          HotRetentionTest.cli(
              0,
              "verify",
              "--url",
              node.url(""),
              "--key",
              ADMIN_KEY,
              "--trusted-key",
              logKey,
              "--state",
              dir.resolve("verify-state").toString());
      assertTrue(online.contains("CLEAN"), online);

      // the archiver sealed none of them again: every seq is in one file at most
      long through = store.nextSeq(TENANT) - 1;
      ArchiverTest.awaitArchived(node, TENANT, through);
      java.util.Set<Long> sealed = new java.util.HashSet<>();
      for (RecordStore.Entry f : ArchiverTest.files(node, TENANT)) {
        for (long[] span : Manifest.parse(f.body()).seqRanges()) {
          for (long seq = span[0]; seq <= span[1]; seq++) {
            assertTrue(sealed.add(seq), "seq " + seq + " sealed twice");
          }
        }
      }

      // a second restore of the range restores nothing new
      Reply again = node.post("/v1/archive/restores", ADMIN_KEY, range(before));
      assertEquals(201, again.status(), again.raw().body());
      assertEquals(0, again.body().path("count").asLong(), again.raw().body());
      assertEquals(count, again.body().path("already_hot").asLong());
      assertNoRestoredAtOrAfter(store, nextSeq);

      // both are listed, and both are events of the tenant's log
      Reply list = node.get("/v1/archive/restores", ADMIN_KEY);
      assertEquals(200, list.status(), list.raw().body());
      assertEquals(2, list.body().path("restores").size(), list.raw().body());
      assertEquals(
          r.path("restore_id").asText(),
          list.body().path("restores").get(0).path("restore_id").asText());
      Reply page = node.get("/v1/archive/restores?limit=1", ADMIN_KEY);
      assertEquals(r.path("restore_id").asText(), page.body().path("next_after").asText());
      Reply logged =
          eventually(
              "ARCHIVE_RESTORED events",
              () -> {
                Reply s = node.get("/v1/events?type=ARCHIVE_RESTORED", ADMIN_KEY);
                return s.body().path("events").size() == 2 ? s : null;
              });
      JsonNode first = null;
      for (JsonNode e : logged.body().path("events")) {
        if (e.path("metadata").path("restore_id").asText().equals(r.path("restore_id").asText())) {
          first = e;
        }
      }
      assertNotNull(first, logged.raw().body());
      assertEquals(count, first.path("metadata").path("count").asLong());
      assertEquals(r.path("event_id").asText(), first.path("id").asText());
      assertEquals(
          r.path("seq_ranges").get(0).get(0).asLong()
              + "-"
              + r.path("seq_ranges").get(0).get(1).asLong(),
          first.path("metadata").path("seq_ranges").get(0).asText());

      // hot retention keeps them until their time, then removes them again
      ArchiveService archive = node.node().archive().orElseThrow();
      HotRetention.Result early = archive.expireHot(HotRetentionTest.ahead(Duration.ofDays(6)));
      assertEquals(0, early.restoredEvents(), early.toString());
      assertEquals(before.size(), store.findBySeqs(TENANT, hot.keySet()).size());
      HotRetention.Result due = archive.expireHot(HotRetentionTest.ahead(Duration.ofDays(8)));
      assertEquals(List.of(), due.failures());
      assertEquals(count, due.restoredEvents(), due.toString());
      assertEquals(Map.of(), store.findBySeqs(TENANT, hot.keySet()));
      for (StoredEvent e : before) {
        Reply got = node.get("/v1/events/" + e.id(), ADMIN_KEY);
        assertEquals(200, got.status(), got.raw().body());
        assertTrue(got.header("Vellum-Archived-In") != null, "from the archive again");
        assertTrue(got.body().path("restored").isMissingNode());
      }
      assertNoRestoredAtOrAfter(store, nextSeq);
      String offline =
          HotRetentionTest.cli(0, "verify", "--data-dir", dir.resolve("node").toString());
      assertTrue(offline.contains("CLEAN"), offline);
      assertEquals(alerts, alertCount(node));
    }
  }

  @Test
  void aTamperedRowRefusesTheWholeRestoreAndInsertsNothing() throws Exception {
    try (TestNode node = directoryNode(dir.resolve("node"))) {
      List<StoredEvent> before = archivedAndExpired(node);
      EventStore store = node.node().store();
      RecordStore records = node.node().records();
      RecordStore.Entry entry =
          ArchiverTest.files(node, TENANT).stream()
              .filter(f -> f.id().contains("LOGIN_FAILED"))
              .findFirst()
              .orElseThrow();
      Manifest m = Manifest.parse(entry.body());
      Path file = dir.resolve("node").resolve("archive").resolve(m.key());
      byte[] original = Files.readAllBytes(file);
      long victim = m.lastSeq();

      // 1. the file rewritten: it no longer matches its manifest
      rewrite(file, victim, false);
      long position = store.lastPosition();
      Reply refused = node.post("/v1/archive/restores", ADMIN_KEY, range(before));
      assertEquals(409, refused.status(), refused.raw().body());
      String detail = refused.body().path("detail").asText();
      assertTrue(detail.contains(m.key()) && detail.contains("manifest"), detail);

      // 2. the file and its manifest rewritten, the row's leaf_hash matching its new body: only
      // the Merkle log tells
      Files.write(file, original);
      rewrite(file, victim, true);
      Manifest forged = m.withContent(Files.size(file), Sha256.of(file));
      assertTrue(
          records.put(entry.withBody(forged.toJson(), entry.updatedAtMicros()), entry.version())
              > 0);
      refused = node.post("/v1/archive/restores", ADMIN_KEY, range(before));
      assertEquals(409, refused.status(), refused.raw().body());
      assertEquals(
          "https://vellum.dev/problems/archive-mismatch", refused.body().path("type").asText());
      detail = refused.body().path("detail").asText();
      assertTrue(
          detail.contains(m.key() + ": seq " + victim) && detail.contains("Merkle log"), detail);

      // 3. the body changed but not its leaf_hash
      Files.write(file, original);
      rewrite(file, victim, false);
      forged = m.withContent(Files.size(file), Sha256.of(file));
      RecordStore.Entry now = records.get(ArchiveRecords.FILE, TENANT, m.key()).orElseThrow();
      assertTrue(
          records.put(now.withBody(forged.toJson(), now.updatedAtMicros()), now.version()) > 0);
      refused = node.post("/v1/archive/restores", ADMIN_KEY, range(before));
      assertEquals(409, refused.status(), refused.raw().body());
      detail = refused.body().path("detail").asText();
      assertTrue(
          detail.contains(m.key() + ": seq " + victim) && detail.contains("leaf_hash"), detail);

      // nothing of any of them was inserted: no event, no feed position, no record
      assertEquals(
          List.of(), store.range(TENANT, 0, before.get(before.size() - 1).seq() + 1), "hot store");
      assertEquals(0, node.get("/v1/archive/restores", ADMIN_KEY).body().path("restores").size());
      assertTrue(
          store.after(position, 1_000).stream().noneMatch(dev.vellum.store.FeedEvent::restored),
          "no restored feed position");
    }
  }

  /**
   * Rewrites the Parquet file with the body of row {@code seq} changed (another actor), its {@code
   * leaf_hash} recomputed to match the new body when {@code rehash}.
   */
  private static void rewrite(Path file, long seq, boolean rehash) throws Exception {
    Path out = file.resolveSibling("tampered.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      String body;
      try (ResultSet rs =
          s.executeQuery("SELECT body FROM read_parquet('" + file + "') WHERE seq = " + seq)) {
        assertTrue(rs.next());
        body = rs.getString(1);
      }
      String tampered = body.replace("\"user-", "\"mallory-");
      assertFalse(tampered.equals(body));
      String leaf =
          HexFormat.of().formatHex(Rfc6962.leafHash(tampered.getBytes(StandardCharsets.UTF_8)));
      s.execute(
          "COPY (SELECT * REPLACE (CASE WHEN seq = "
              + seq
              + " THEN '"
              + tampered.replace("'", "''")
              + "' ELSE body END AS body"
              + (rehash
                  ? ", CASE WHEN seq = "
                      + seq
                      + " THEN '"
                      + leaf
                      + "' ELSE leaf_hash END AS leaf_hash"
                  : "")
              + ") FROM read_parquet('"
              + file
              + "') ORDER BY seq) TO '"
              + out
              + "' (FORMAT PARQUET, COMPRESSION ZSTD)");
    }
    Files.move(out, file, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void restoresFromARealS3ServerAndATenantRestoresNothingOfAnother() throws Exception {
    try (S3Proxy s3 = S3Proxy.start(Files.createDirectories(dir.resolve("s3")));
        TestNode node =
            HotRetentionTest.node(dir.resolve("node"), s3, Duration.ofDays(30), Map.of())) {
      Reply acme = node.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"acme\"}");
      assertEquals(201, acme.status(), acme.raw().body());
      String acmeKey = acme.body().path("api_key").asText();
      List<StoredEvent> before = archivedAndExpired(node);
      EventStore store = node.node().store();

      Reply named = node.post("/v1/archive/restores", acmeKey, range(before).put("tenant", TENANT));
      assertEquals(403, named.status(), named.raw().body());
      Reply other = node.post("/v1/archive/restores", acmeKey, range(before));
      assertEquals(201, other.status(), other.raw().body());
      assertEquals(0, other.body().path("count").asLong(), other.raw().body());
      assertEquals(0, other.body().path("file_count").asLong(), other.raw().body());
      assertEquals(List.of(), store.range(TENANT, 0, before.get(before.size() - 1).seq() + 1));
      assertEquals(0, node.get("/v1/archive/restores", ADMIN_KEY).body().path("restores").size());
      assertEquals(1, node.get("/v1/archive/restores", acmeKey).body().path("restores").size());

      // the CLI: a key of another tenant is refused, a bad range names the field, then it restores
      ObjectNode r = range(before);
      String[] common = {
        "archive", "restore", "--url", node.url(""), "--from", r.get("from").asText()
      };
      String crossTenant =
          HotRetentionTest.cli(
              2,
              concat(common, "--tenant", TENANT, "--key", acmeKey, "--to", r.get("to").asText()));
      assertTrue(crossTenant.contains("HTTP 403") && crossTenant.contains("acme"), crossTenant);
      String backwards =
          HotRetentionTest.cli(
              1,
              concat(
                  common, "--tenant", TENANT, "--key", ADMIN_KEY, "--to", "2000-01-01T00:00:00Z"));
      assertTrue(
          backwards.contains("HTTP 422") && backwards.contains("to must be after from"), backwards);
      String done =
          HotRetentionTest.cli(
              0,
              concat(common, "--tenant", TENANT, "--key", ADMIN_KEY, "--to", r.get("to").asText()));
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("restored (\\d+) events of tenant default from (\\d+)")
              .matcher(done);
      assertTrue(m.find(), done);
      assertTrue(Long.parseLong(m.group(1)) >= before.size(), done);
      assertTrue(done.contains("seqs: ") && done.contains("recorded as event "), done);
      Map<Long, StoredEvent> hot =
          store.findBySeqs(TENANT, before.stream().map(StoredEvent::seq).toList());
      assertEquals(
          before.stream().collect(Collectors.toMap(StoredEvent::seq, StoredEvent::body)),
          hot.values().stream().collect(Collectors.toMap(StoredEvent::seq, StoredEvent::body)));
      assertTrue(hot.values().stream().allMatch(StoredEvent::restored));
      Reply cross = node.get("/v1/events/" + before.get(0).id(), acmeKey);
      assertEquals(404, cross.status());
    }
  }

  @Test
  void refusesBadRequestsNamingTheFieldAndAsksForTheAdminScope() throws Exception {
    try (TestNode node = directoryNode(dir.resolve("node"))) {
      Instant t = Instant.parse("2026-01-01T00:00:00Z");
      assertField(node, "{\"to\":\"" + t + "\"}", "/from");
      assertField(node, "{\"from\":\"" + t + "\",\"to\":\"yesterday\"}", "/to");
      assertField(node, "{\"from\":\"" + t + "\",\"to\":\"" + t + "\"}", "/to");
      assertField(
          node, "{\"from\":\"" + t + "\",\"to\":\"" + t.plus(Duration.ofDays(32)) + "\"}", "/to");
      assertField(
          node,
          "{\"from\":\"" + t + "\",\"to\":\"" + t.plusSeconds(60) + "\",\"until\":\"" + t + "\"}",
          "/until");
      assertField(
          node,
          "{\"from\":\""
              + t
              + "\",\"to\":\""
              + t.plusSeconds(60)
              + "\",\"until\":\""
              + Instant.now().plus(Duration.ofDays(91))
              + "\"}",
          "/until");
      assertField(
          node,
          "{\"from\":\"" + t + "\",\"to\":\"" + t.plusSeconds(60) + "\",\"tenants\":\"x\"}",
          "/tenants");
      Reply limit = node.get("/v1/archive/restores?limit=0", ADMIN_KEY);
      assertEquals(400, limit.status());
      assertEquals("/limit", limit.body().path("errors").get(0).path("pointer").asText());
      Reply key =
          node.post("/v1/keys", ADMIN_KEY, "{\"name\":\"reader\",\"scopes\":[\"events:read\"]}");
      assertEquals(201, key.status(), key.raw().body());
      Reply forbidden =
          node.post(
              "/v1/archive/restores",
              key.body().path("api_key").asText(),
              "{\"from\":\"" + t + "\",\"to\":\"" + t.plusSeconds(60) + "\"}");
      assertEquals(403, forbidden.status());
      Reply empty =
          node.post(
              "/v1/archive/restores",
              ADMIN_KEY,
              "{\"from\":\"" + t + "\",\"to\":\"" + t.plusSeconds(60) + "\"}");
      assertEquals(201, empty.status(), empty.raw().body());
      assertEquals(0, empty.body().path("count").asLong());
    }
  }

  /** Not re-sequenced: the seqs at or after {@code nextSeq} are new events, none restored. */
  private static void assertNoRestoredAtOrAfter(EventStore store, long nextSeq) {
    assertTrue(
        store.range(TENANT, nextSeq, Long.MAX_VALUE).stream().noneMatch(StoredEvent::restored),
        "a restored event got a new seq");
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static void assertField(TestNode node, String body, String pointer) {
    Reply r = node.post("/v1/archive/restores", ADMIN_KEY, body);
    assertEquals(422, r.status(), r.raw().body());
    assertEquals(pointer, r.body().path("errors").get(0).path("pointer").asText(), r.raw().body());
    assertNull(r.header("Location"));
  }
}
