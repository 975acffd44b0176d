package dev.vellum.log;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vellum.core.merkle.ProofVerifier;
import dev.vellum.core.note.Checkpoint;
import dev.vellum.core.note.NoteVerifier;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints, proofs and tiles over HTTP, verified with the core verifier. */
class LogApiTest {
  @TempDir static Path dir;
  static TestNode node;
  static NoteVerifier verifier;

  @BeforeAll
  static void start() {
    node = TestNode.start(dir);
    verifier = NoteVerifier.parse(node.get("/v1/log/key", ADMIN_KEY).raw().body().trim());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private JsonNode ingestWaiting(int n) {
    ArrayNode batch = node.json.createArrayNode();
    for (int i = 0; i < n; i++) {
      batch.add(node.loginEvent("log-" + i));
    }
    Reply r = node.post("/v1/events?wait_for_checkpoint=true", ADMIN_KEY, batch);
    assertEquals(200, r.status(), r.raw().body());
    return r.body();
  }

  private static List<byte[]> hashes(JsonNode array) {
    List<byte[]> out = new ArrayList<>();
    array.forEach(h -> out.add(Base64.getDecoder().decode(h.asText())));
    return out;
  }

  @Test
  void waitForCheckpointReturnsSignedCheckpointCoveringTheEvents() {
    JsonNode body = ingestWaiting(5);
    Checkpoint cp = verifier.verifyCheckpoint(body.get("checkpoint").asText());
    long lastSeq = body.get("results").get(4).get("seq").asLong();
    assertTrue(cp.size() > lastSeq);
    assertEquals("vellum.local/default", cp.origin());
  }

  @Test
  void inclusionProofOfAnEventVerifiesAgainstItsCheckpoint() {
    JsonNode body = ingestWaiting(300);
    Checkpoint cp = verifier.verifyCheckpoint(body.get("checkpoint").asText());
    for (int i : new int[] {0, 17, 255, 256, 299}) {
      JsonNode result = body.get("results").get(i);
      Reply r =
          node.get(
              "/v1/events/" + result.get("id").asText() + "/proof?tree_size=" + cp.size(),
              ADMIN_KEY);
      assertEquals(200, r.status(), r.raw().body());
      byte[] leaf = Base64.getDecoder().decode(r.body().get("leaf_hash").asText());
      assertArrayEquals(Base64.getDecoder().decode(result.get("leaf_hash").asText()), leaf);
      ProofVerifier.verifyInclusion(
          r.body().get("leaf_index").asLong(),
          cp.size(),
          leaf,
          hashes(r.body().get("audit_path")),
          cp.rootHash());
    }
  }

  /** Partial tiles at the right edge are served from memory; they must follow every commit. */
  @Test
  void proofsStayValidWhileTheRightEdgeGrowsAcrossTiles() {
    Checkpoint first = verifier.verifyCheckpoint(ingestWaiting(1).get("checkpoint").asText());
    for (int batch : new int[] {100, 200, 1, 255, 60}) {
      Checkpoint cp = verifier.verifyCheckpoint(ingestWaiting(batch).get("checkpoint").asText());
      for (Checkpoint against : List.of(first, cp)) {
        for (long leaf : new long[] {0, against.size() / 2, against.size() - 1}) {
          Reply r =
              node.get(
                  "/v1/log/proof?leaf_index=" + leaf + "&tree_size=" + against.size(), ADMIN_KEY);
          assertEquals(200, r.status(), r.raw().body());
          ProofVerifier.verifyInclusion(
              leaf,
              against.size(),
              Base64.getDecoder().decode(r.body().get("leaf_hash").asText()),
              hashes(r.body().get("audit_path")),
              against.rootHash());
        }
      }
    }
  }

  @Test
  void consistencyProofBetweenTwoCheckpointsVerifies() {
    Checkpoint a = verifier.verifyCheckpoint(ingestWaiting(3).get("checkpoint").asText());
    Checkpoint b = verifier.verifyCheckpoint(ingestWaiting(270).get("checkpoint").asText());
    Reply r = node.get("/v1/log/consistency?from=" + a.size() + "&to=" + b.size(), ADMIN_KEY);
    assertEquals(200, r.status(), r.raw().body());
    ProofVerifier.verifyConsistency(
        a.size(), b.size(), hashes(r.body().get("proof")), a.rootHash(), b.rootHash());
  }

  @Test
  void everySignedCheckpointIsKept() {
    ingestWaiting(2);
    ingestWaiting(2);
    Reply r = node.get("/v1/log/checkpoints?since_size=0", ADMIN_KEY);
    JsonNode list = r.body().get("checkpoints");
    assertTrue(list.size() >= 2);
    long previous = -1;
    for (JsonNode cp : list) {
      Checkpoint parsed = verifier.verifyCheckpoint(cp.get("note").asText());
      assertEquals(cp.get("tree_size").asLong(), parsed.size());
      assertTrue(parsed.size() > previous);
      previous = parsed.size();
    }
  }

  @Test
  void latestCheckpointIsPlainTextSignedNote() {
    ingestWaiting(1);
    Reply r = node.get("/v1/log/checkpoint", ADMIN_KEY);
    assertTrue(r.contentType().startsWith("text/plain"));
    verifier.verifyCheckpoint(r.raw().body());
  }

  @Test
  void tilesAreServedAtTheirC2spPaths() throws Exception {
    ingestWaiting(260);
    HttpResponse<byte[]> full =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(node.url("/v1/log/tile/0/000")))
                    .header("Authorization", "Bearer " + ADMIN_KEY)
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, full.statusCode());
    assertEquals(256 * 32, full.body().length);
    HttpResponse<byte[]> partial =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(node.url("/v1/log/tile/0/000.p/7")))
                    .header("Authorization", "Bearer " + ADMIN_KEY)
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, partial.statusCode());
    assertArrayEquals(java.util.Arrays.copyOf(full.body(), 7 * 32), partial.body());
    assertEquals(404, node.get("/v1/log/tile/0/x999/000", ADMIN_KEY).status());
    assertEquals(404, node.get("/v1/log/tile/banana", ADMIN_KEY).status());
  }

  @Test
  void logReadKeyGetsProofsButNoEventContent() {
    JsonNode body = ingestWaiting(2);
    String auditor =
        node.post("/v1/keys", ADMIN_KEY, "{\"name\":\"auditor\",\"scopes\":[\"log:read\"]}")
            .body()
            .get("api_key")
            .asText();
    long seq = body.get("results").get(0).get("seq").asLong();
    assertEquals(200, node.get("/v1/log/proof?leaf_index=" + seq, auditor).status());
    assertEquals(200, node.get("/v1/log/checkpoint", auditor).status());
    assertEquals(403, node.get("/v1/events", auditor).status());
    assertEquals(
        403,
        node.get("/v1/events/" + body.get("results").get(0).get("id").asText(), auditor).status());
  }

  @Test
  void proofBeyondTheTreeIs400() {
    assertEquals(400, node.get("/v1/log/proof?leaf_index=99999999", ADMIN_KEY).status());
    assertEquals(400, node.get("/v1/log/consistency?from=0&to=1", ADMIN_KEY).status());
  }
}
