package dev.vellum.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.note.Checkpoint;
import dev.vellum.testing.TestNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Behaviour of {@code vellum bench proof} against real nodes; never timing. */
class ProofCommandTest {
  private final ObjectMapper json = new ObjectMapper();

  private record Run(int exit, String out, String err) {}

  private Run bench(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new BenchCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void proof_againstRunningServer_fetchesAndVerifiesEveryProof(@TempDir Path dir) throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      Run run =
          bench(
              "proof",
              "--url",
              node.url(""),
              "--key",
              TestNode.ADMIN_KEY,
              "--preload",
              "600",
              "--requests",
              "40",
              "--concurrency",
              "2",
              "--verify-every",
              "1",
              "--json");
      assertEquals(0, run.exit(), run.err());
      JsonNode report = json.readTree(run.out());
      assertTrue(report.get("tree_size").asLong() >= 600, report.toString());
      assertEquals(40, report.get("proofs").asLong());
      assertEquals(40, report.at("/statuses/200").asLong());
      assertEquals(40, report.get("verified").asLong());
      assertEquals(0, report.get("verify_failures").asLong());
      assertTrue(report.get("mean_audit_path").asDouble() >= 9, "log2(600) hashes or more");
      for (String p : new String[] {"p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms"}) {
        assertTrue(report.at("/latency/" + p).isNumber(), p);
      }
    }
  }

  @Test
  void proof_withStartedServerAndTextOutput_samplesVerification() {
    Run run =
        bench(
            "proof",
            "--start-server",
            "--preload",
            "300",
            "--requests",
            "20",
            "--concurrency",
            "1",
            "--verify-every",
            "5");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("proof: 20 proofs"), run.out());
    assertTrue(
        run.out().contains("verified 4 proofs against the checkpoint root, 0 failures"), run.out());
  }

  @Test
  void verify_rejectsATamperedProofAndAWrongLeaf(@TempDir Path dir) throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      assertEquals(
          0,
          bench(
                  "proof",
                  "--url",
                  node.url(""),
                  "--key",
                  TestNode.ADMIN_KEY,
                  "--preload",
                  "100",
                  "--requests",
                  "1")
              .exit());
      String note =
          node.send("GET", "/v1/log/checkpoint", TestNode.ADMIN_KEY, null, null).raw().body();
      Checkpoint cp = Checkpoint.parse(note.substring(0, note.indexOf("\n\n") + 1));
      long index = cp.size() / 2;
      ObjectNode proof =
          (ObjectNode)
              node.get(
                      "/v1/log/proof?leaf_index=" + index + "&tree_size=" + cp.size(),
                      TestNode.ADMIN_KEY)
                  .body();
      assertNull(ProofCommand.verify(proof, index, cp));
      assertNotNull(ProofCommand.verify(proof, index + 1, cp), "another leaf's index");

      ObjectNode tampered = proof.deepCopy();
      ArrayNode path = (ArrayNode) tampered.get("audit_path");
      byte[] first = Base64.getDecoder().decode(path.get(0).asText());
      first[0] ^= 1;
      path.set(0, tampered.textNode(Base64.getEncoder().encodeToString(first)));
      assertNotNull(ProofCommand.verify(tampered, index, cp), "a flipped bit in the path");
    }
  }
}
