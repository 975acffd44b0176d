package dev.vellum.viewer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.vellum.core.json.CanonicalJson;
import dev.vellum.testing.TestNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The viewer's in-browser verifier ({@code web/viewer/verify.js}) run in Chromium against known
 * answers: the RFC 6962 probes of transparency-dev/merkle (test resources {@code viewer/rfc6962},
 * see its README), the signed-note example of Go's sumdb/note, and the Java {@link CanonicalJson}
 * for RFC 8785 edge cases.
 */
class ViewerVerifyTest {
  @TempDir static Path dir;
  static TestNode node;
  static Playwright pw;
  static Browser browser;
  static Page page;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() {
    pw = Chromium.playwright();
    browser = Chromium.launch(pw);
    node = TestNode.start(dir);
    page = browser.newPage();
    page.navigate(node.url("/"));
    page.waitForSelector("#api-key");
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (pw != null) {
      pw.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private static ArrayNode probes(String kind) throws IOException, URISyntaxException {
    Path root = Path.of(ViewerVerifyTest.class.getResource("/viewer/rfc6962/" + kind).toURI());
    ArrayNode out = JSON.createArrayNode();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        JsonNode probe = JSON.readTree(f.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) probe)
            .put("file", root.relativize(f).toString());
        out.add(probe);
      }
    }
    return out;
  }

  @Test
  void inclusionProbes_allAnsweredAsMerkleDoes() throws Exception {
    ArrayNode probes = probes("inclusion");
    assertTrue(probes.size() > 50, "probes found: " + probes.size());
    Object wrong =
        page.evaluate(
            """
        async (probes) => {
          const v = await import('/viewer/verify.js');
          const wrong = [];
          for (const p of probes) {
            let err = null;
            try {
              await v.verifyInclusion(p.leafIdx, p.treeSize, v.b64decode(p.leafHash || ''),
                (p.proof || []).map(v.b64decode), v.b64decode(p.root || ''));
            } catch (e) { err = e.message; }
            if ((err !== null) !== p.wantErr) wrong.push(p.file + ': ' + (err || 'accepted'));
          }
          return wrong;
        }""",
            JSON.convertValue(probes, List.class));
    assertEquals(List.of(), wrong);
  }

  @Test
  void consistencyProbes_allAnsweredAsMerkleDoes() throws Exception {
    ArrayNode probes = probes("consistency");
    assertTrue(probes.size() > 50, "probes found: " + probes.size());
    Object wrong =
        page.evaluate(
            """
        async (probes) => {
          const v = await import('/viewer/verify.js');
          const wrong = [];
          for (const p of probes) {
            let err = null;
            try {
              await v.verifyConsistency(p.size1, p.size2, v.b64decode(p.root1 || ''),
                v.b64decode(p.root2 || ''), (p.proof || []).map(v.b64decode));
            } catch (e) { err = e.message; }
            if ((err !== null) !== p.wantErr) wrong.push(p.file + ': ' + (err || 'accepted'));
          }
          return wrong;
        }""",
            JSON.convertValue(probes, List.class));
    assertEquals(List.of(), wrong);
  }

  /** The reference note of golang.org/x/mod/sumdb/note (shared/testdata/README.md). */
  @Test
  void signedNote_goReferenceExampleVerifiesAndAnyChangeFails() {
    Object result =
        page.evaluate(
            """
        async () => {
          const v = await import('/viewer/verify.js');
          const key = await v.parseVerifierKey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
          const text = 'If you think cryptography is the answer to your problem,\\n'
            + "then you don't know what your problem is.\\n";
          const sig = '\\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\\n';
          const out = [key.keyId];
          const sigOnly = async (note) => {
            const n = v.parseNote(note);
            const s = n.signatures[0];
            const pub = await crypto.subtle.importKey('raw', key.publicKey, { name: 'Ed25519' }, false, ['verify']);
            return crypto.subtle.verify({ name: 'Ed25519' }, pub, s.signature, new TextEncoder().encode(n.text));
          };
          out.push(await sigOnly(text + '\\n' + sig));
          out.push(await sigOnly(text.replace('problem', 'Problem') + '\\n' + sig));
          return out;
        }""");
    assertEquals(List.of("c74f20a3", true, false), result);
  }

  @Test
  void canonicalJson_matchesTheJavaImplementation() throws Exception {
    List<String> docs =
        List.of(
            "{\"b\":1,\"a\":[1.0,-0,0.1,1e21,1e-7,123456789012345678901234,5e-324,1.7976931348623157e308]}",
            "{\"\\u20ac\":1,\"\\r\":2,\"1\":3,\"\\ud83d\\ude00\":4,\"\\u0080\":5,\"\\u00f6\":6,\"a\\u0000b\":7}",
            "{\"s\":\"tab\\t nl\\n quote\\\" slash\\\\ ctl\\u001f del\\u007f euro\\u20ac emoji\\ud83d\\ude00 ls\\u2028\"}",
            "{\"nested\":{\"z\":null,\"y\":true,\"x\":false,\"w\":[],\"v\":{}},\"n\":-12.5e3}",
            "{\"numbers\":[0.000001,0.0000001,100000000000000000000,1000000000000000000000,333333333.33333329,4.50,2e-3]}");
    ArrayNode javaForms = JSON.createArrayNode();
    for (String d : docs) {
      javaForms.add(CanonicalJson.canonicalString(JSON.readTree(d)));
    }
    Object jsForms =
        page.evaluate(
            """
        async (docs) => {
          const v = await import('/viewer/verify.js');
          return docs.map((d) => v.canonicalize(JSON.parse(d)));
        }""",
            docs);
    assertEquals(JSON.convertValue(javaForms, List.class), jsForms);
  }
}
