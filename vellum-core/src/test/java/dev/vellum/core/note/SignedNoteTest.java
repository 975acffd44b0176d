package dev.vellum.core.note;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SignedNoteTest {

  /*
   * Known answer: the example of golang.org/x/mod/sumdb/note (package documentation in note.go
   * and TestSign in note_test.go), as reproduced in /work/shared/testdata/README.md.
   */
  static final String GO_SKEY =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  static final String GO_VKEY =
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  static final String GO_TEXT =
      "If you think cryptography is the answer to your problem,\n"
          + "then you don't know what your problem is.\n";
  static final String GO_NOTE =
      GO_TEXT
          + "\n"
          + "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

  private static final byte[] ROOT =
      HexFormat.of().parseHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

  @Test
  void goReferenceSignerReproducesTheReferenceNoteByteForByte() {
    NoteSigner signer = NoteSigner.fromPrivateKey(GO_SKEY);
    assertEquals(GO_NOTE, signer.sign(GO_TEXT));
  }

  @Test
  void goReferenceSignerDerivesTheReferenceVerifierKey() {
    NoteSigner signer = NoteSigner.fromPrivateKey(GO_SKEY);
    assertEquals(GO_VKEY, signer.verifierKey());
    assertEquals(GO_SKEY, signer.privateKey());
    assertEquals(0xc74f20a3, signer.keyId());
  }

  @Test
  void goReferenceNoteVerifiesWithTheReferenceVerifierKey() {
    assertEquals(GO_TEXT, NoteVerifier.parse(GO_VKEY).verify(GO_NOTE));
  }

  @Test
  void keyIdIsFirstFourBytesOfSha256OfNameNewlineTypeAndKey() throws Exception {
    NoteSigner signer = NoteSigner.generate("vellum.local/acme");
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update("vellum.local/acme\n".getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0x01);
    md.update(signer.publicKey());
    byte[] h = md.digest();
    int expected =
        ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
    assertEquals(expected, signer.keyId());
    assertTrue(
        signer
            .verifierKey()
            .startsWith("vellum.local/acme+" + String.format("%08x", expected) + "+"));
  }

  @Test
  void signatureLineIsEmDashNameAndBase64OfKeyIdAndSignature() {
    NoteSigner signer = NoteSigner.generate("log.example");
    String line = signer.signatureLine("hello\n");
    assertTrue(line.startsWith("\u2014 log.example "), line);
    assertTrue(line.endsWith("\n"));
    byte[] blob =
        Base64.getDecoder()
            .decode(line.substring("\u2014 log.example ".length(), line.length() - 1));
    assertEquals(68, blob.length);
    assertEquals(
        signer.keyId(),
        ((blob[0] & 0xff) << 24)
            | ((blob[1] & 0xff) << 16)
            | ((blob[2] & 0xff) << 8)
            | (blob[3] & 0xff));
  }

  @Test
  void checkpointVerifiesWithItsVerifierKey() {
    NoteSigner signer = NoteSigner.generate("vellum.local/acme");
    Checkpoint cp = new Checkpoint("vellum.local/acme", 8, ROOT);
    String note = signer.sign(cp.toNoteText());
    NoteVerifier verifier = NoteVerifier.parse(signer.verifierKey());
    assertEquals(cp, verifier.verifyCheckpoint(note));
  }

  @Test
  void checkpointFailsWhenAnyByteChanged() {
    NoteSigner signer = NoteSigner.generate("vellum.local/acme");
    String note =
        signer.sign(
            new Checkpoint("vellum.local/acme", 1234, ROOT, List.of("ext line")).toNoteText());
    NoteVerifier verifier = signer.verifier();
    byte[] bytes = note.getBytes(StandardCharsets.UTF_8);
    int rejected = 0;
    for (int i = 0; i < bytes.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] changed = bytes.clone();
        changed[i] ^= (byte) (1 << bit);
        String tampered = new String(changed, StandardCharsets.UTF_8);
        assertThrows(
            RuntimeException.class,
            () -> verifier.verifyCheckpoint(tampered),
            "byte " + i + " bit " + bit);
        rejected++;
      }
    }
    assertEquals(bytes.length * 8, rejected);
  }

  @Test
  void tamperedTextFailsWithInvalidSignature() {
    NoteSigner signer = NoteSigner.generate("vellum.local/acme");
    String note = signer.sign(new Checkpoint("vellum.local/acme", 1234, ROOT).toNoteText());
    String tampered = note.replace("\n1234\n", "\n1235\n");
    NoteException e = assertThrows(NoteException.class, () -> signer.verifier().verify(tampered));
    assertTrue(
        e.getMessage().startsWith("invalid signature by vellum.local/acme+"), e.getMessage());
  }

  @Test
  void differentKeyWithSameNameFails() {
    NoteSigner signer = NoteSigner.generate("vellum.local/acme");
    NoteSigner other = NoteSigner.generate("vellum.local/acme");
    String note = signer.sign(new Checkpoint("vellum.local/acme", 1, ROOT).toNoteText());
    NoteException e = assertThrows(NoteException.class, () -> other.verifier().verify(note));
    assertTrue(e.getMessage().startsWith("no signature by vellum.local/acme+"), e.getMessage());
  }

  @Test
  void signatureWithForgedKeyIdOfTheVerifierFails() {
    // Another key signs, but its line claims the trusted key's name and id.
    NoteSigner trusted = NoteSigner.generate("log");
    NoteSigner attacker = NoteSigner.generate("log");
    String text = "log\n1\n" + Base64.getEncoder().encodeToString(ROOT) + "\n";
    String line = attacker.signatureLine(text);
    byte[] blob = Base64.getDecoder().decode(line.substring(6, line.length() - 1));
    blob[0] = (byte) (trusted.keyId() >>> 24);
    blob[1] = (byte) (trusted.keyId() >>> 16);
    blob[2] = (byte) (trusted.keyId() >>> 8);
    blob[3] = (byte) trusted.keyId();
    String forged = text + "\n\u2014 log " + Base64.getEncoder().encodeToString(blob) + "\n";
    NoteException e = assertThrows(NoteException.class, () -> trusted.verifier().verify(forged));
    assertTrue(e.getMessage().startsWith("invalid signature"), e.getMessage());
  }

  @Test
  void keyNameMismatchIsNotAcceptedAsTheTrustedKey() {
    NoteSigner signer = NoteSigner.generate("log.a");
    String note = signer.sign("hello\n");
    String renamed = note.replace("\u2014 log.a ", "\u2014 log.b ");
    assertThrows(NoteException.class, () -> signer.verifier().verify(renamed));
  }

  @Test
  void checkpointOriginMustMatchKeyName() {
    NoteSigner signer = NoteSigner.generate("vellum.local/acme");
    String note = signer.sign(new Checkpoint("vellum.local/other", 1, ROOT).toNoteText());
    NoteException e =
        assertThrows(NoteException.class, () -> signer.verifier().verifyCheckpoint(note));
    assertTrue(e.getMessage().contains("does not match key name"), e.getMessage());
  }

  @Test
  void otherSignersLinesAreIgnoredWhenTrustedKeyAlsoSigned() {
    NoteSigner log = NoteSigner.generate("log");
    NoteSigner witness = NoteSigner.generate("witness");
    String text = "hello\n";
    String note = text + "\n" + witness.signatureLine(text) + log.signatureLine(text);
    assertEquals(text, log.verifier().verify(note));
    assertEquals(text, witness.verifier().verify(note));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "hello\n",
        "hello\n\n",
        "hello\n\n\u2014 log\n",
        "hello\n\n- log AAAAAAA=\n",
        "hello\n\n\u2014 log !!!!\n",
        "hello\n\n\u2014 log AAAA\n",
        "hello\n\n\u2014 log AAAAAAA=",
        "hello\n\n\u2014  AAAAAAA=\n",
        "hel\u0001lo\n\n\u2014 log AAAAAAA=\n",
      })
  void malformedNotesAreRejected(String note) {
    NoteSigner signer = NoteSigner.generate("log");
    assertThrows(NoteException.class, () -> signer.verifier().verify(note));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+AhpcA2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      })
  void malformedOrInconsistentVerifierKeysAreRejected(String vkey) {
    assertThrows(NoteException.class, () -> NoteVerifier.parse(vkey));
  }

  @Test
  void privateKeyWithWrongIdIsRejected() {
    assertThrows(
        NoteException.class,
        () -> NoteSigner.fromPrivateKey(GO_SKEY.replace("c74f20a3", "c74f20a4")));
    assertThrows(NoteException.class, () -> NoteSigner.fromPrivateKey(GO_SKEY.substring(8)));
  }

  @Test
  void generatedKeyRoundTripsThroughItsStrings() {
    NoteSigner signer = NoteSigner.generate("vellum.local/t1");
    NoteSigner reloaded = NoteSigner.fromPrivateKey(signer.privateKey());
    assertEquals(signer.verifierKey(), reloaded.verifierKey());
    assertEquals(signer.verifierKey(), NoteVerifier.parse(signer.verifierKey()).toString());
    assertEquals("hi\n", reloaded.verifier().verify(signer.sign("hi\n")));
    assertTrue(!signer.toString().contains(signer.privateKey().substring(40)));
  }

  @Test
  void rawPublicKeyRoundTripsThroughJdkKeyForManySeeds() {
    for (int i = 0; i < 50; i++) {
      byte[] seed = new byte[32];
      seed[0] = (byte) i;
      seed[31] = (byte) (i * 7);
      NoteSigner signer = NoteSigner.fromSeed("k", seed);
      assertArrayEquals(
          signer.publicKey(), Ed25519Keys.encode(Ed25519Keys.publicKey(signer.publicKey())));
      assertEquals("x\n", signer.verifier().verify(signer.sign("x\n")));
    }
  }

  @Test
  void signingRejectsTextWithoutFinalNewlineOrWithControls() {
    NoteSigner signer = NoteSigner.generate("log");
    assertThrows(NoteException.class, () -> signer.sign("no newline"));
    assertThrows(NoteException.class, () -> signer.sign(""));
    assertThrows(NoteException.class, () -> signer.sign("tab\there\n"));
  }
}
