package dev.vellum.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.compat.MappingResult;
import dev.vellum.core.compat.ReferenceMapper;
import dev.vellum.core.json.CanonicalJson;
import dev.vellum.core.merkle.TilePath;
import dev.vellum.core.note.Checkpoint;
import dev.vellum.core.note.NoteException;
import dev.vellum.core.note.NoteSigner;
import dev.vellum.core.note.NoteVerifier;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz targets for the parsers in vellum-core that read untrusted input. Each target states the
 * only outcomes its parser documents; anything else escaping is a finding. Seeds live in {@code
 * src/test/resources/dev/vellum/core/fuzz/CoreParsersFuzzTestInputs/<method>/}; under plain {@code
 * mvn verify} only the seeds run (regression mode), {@code JAZZER_FUZZ=1} fuzzes.
 */
class CoreParsersFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A fixed key, so that signed seeds keep verifying: seed bytes 0..31, name vellum.local. */
  private static final NoteSigner SIGNER = NoteSigner.fromSeed("vellum.local", seed());

  private static final NoteVerifier VERIFIER = SIGNER.verifier();

  private static byte[] seed() {
    byte[] s = new byte[32];
    for (int i = 0; i < s.length; i++) {
      s[i] = (byte) i;
    }
    return s;
  }

  /** Inputs are raw bytes (so seed files are plain text); invalid UTF-8 becomes U+FFFD. */
  private static String utf8(byte[] input) {
    return new String(input, StandardCharsets.UTF_8);
  }

  /** JSON bytes of a flat reference payload: mapping never throws, it reports errors. */
  @FuzzTest
  void referenceMapper(byte[] input) {
    JsonNode body;
    try {
      body = JSON.readTree(input);
    } catch (java.io.IOException e) {
      return; // malformed JSON is rejected before the mapper
    }
    if (body == null || !body.isObject()) {
      return; // the route only hands objects to the mapper
    }
    MappingResult r = new ReferenceMapper().map((ObjectNode) body);
    if (r.isSuccess()) {
      assertNotNull(r.event());
      // The mapped event goes on to be hashed: it must be canonicalisable.
      CanonicalJson.canonicalize(r.event());
    } else {
      assertNotNull(r.errors());
    }
  }

  /** RFC 8785 canonicalisation: only IllegalArgumentException for values outside I-JSON. */
  @FuzzTest
  void canonicalJson(byte[] input) {
    JsonNode node;
    try {
      node = JSON.readTree(input);
    } catch (java.io.IOException e) {
      return;
    }
    if (node == null) {
      return;
    }
    try {
      byte[] once = CanonicalJson.canonicalize(node);
      byte[] twice = CanonicalJson.canonicalize(JSON.readTree(once));
      assertEquals(
          new String(once, StandardCharsets.UTF_8),
          new String(twice, StandardCharsets.UTF_8),
          "canonical form is not a fixed point");
    } catch (IllegalArgumentException notIJson) {
      // documented
    } catch (java.io.IOException e) {
      throw new AssertionError("canonical output is not JSON", e);
    }
  }

  /** Tile paths: IllegalArgumentException or a path that prints back to the same text. */
  @FuzzTest
  void tilePath(byte[] input) {
    String path = utf8(input);
    TilePath p;
    try {
      p = TilePath.parse(path);
    } catch (IllegalArgumentException e) {
      return;
    }
    assertEquals(path, p.toString(), "accepted a non-canonical spelling");
  }

  /** Checkpoint bodies: NoteException or a checkpoint that prints back to the same text. */
  @FuzzTest
  void checkpoint(byte[] input) {
    String text = utf8(input);
    Checkpoint cp;
    try {
      cp = Checkpoint.parse(text);
    } catch (NoteException e) {
      return;
    }
    assertEquals(text, cp.toNoteText(), "accepted a non-canonical checkpoint");
  }

  /** Signed notes against a fixed key: NoteException, or a verified checkpoint. */
  @FuzzTest
  void signedCheckpoint(byte[] input) {
    String note = utf8(input);
    try {
      Checkpoint cp = VERIFIER.verifyCheckpoint(note);
      assertNotNull(cp);
    } catch (NoteException e) {
      // documented
    }
  }

  /** Verifier keys ({@code name+id+base64}): NoteException or a usable verifier. */
  @FuzzTest
  void verifierKey(byte[] input) {
    String vkey = utf8(input);
    NoteVerifier v;
    try {
      v = NoteVerifier.parse(vkey);
    } catch (NoteException e) {
      return;
    }
    assertNotNull(v.name());
  }
}
