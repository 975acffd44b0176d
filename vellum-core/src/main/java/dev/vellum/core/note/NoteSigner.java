package dev.vellum.core.note;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Base64;

/**
 * Signs notes with one Ed25519 key under one key name, in the C2SP signed-note format. The
 * private-key string format is that of golang.org/x/mod/sumdb/note: {@code PRIVATE+KEY+<name>+<8
 * hex key id>+<base64(0x01 ‖ 32-byte seed)>}. Thread-safe.
 */
public final class NoteSigner {

  private static final String SKEY_PREFIX = "PRIVATE+KEY+";

  private final String name;
  private final byte[] seed;
  private final byte[] publicKey;
  private final int keyId;
  private final PrivateKey privateKey;

  private NoteSigner(String name, byte[] seed) {
    Ed25519Keys.checkName(name);
    this.name = name;
    this.seed = seed.clone();
    this.publicKey = Ed25519Keys.publicKeyOfSeed(seed);
    this.keyId = Ed25519Keys.keyId(name, publicKey);
    this.privateKey = Ed25519Keys.privateKey(seed);
  }

  /** A new key named {@code name}, from a fresh random seed. */
  public static NoteSigner generate(String name) {
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    return new NoteSigner(name, seed);
  }

  /** The key with this 32-byte RFC 8032 seed, named {@code name}. */
  public static NoteSigner fromSeed(String name, byte[] seed) {
    if (seed == null || seed.length != 32) {
      throw new NoteException("Ed25519 seed must be 32 bytes");
    }
    return new NoteSigner(name, seed);
  }

  /**
   * Parses a private-key string.
   *
   * @throws NoteException if it is malformed or its key id does not match its key
   */
  public static NoteSigner fromPrivateKey(String skey) {
    if (skey == null || !skey.startsWith(SKEY_PREFIX)) {
      throw new NoteException("private key must start with \"" + SKEY_PREFIX + "\"");
    }
    String[] parts = skey.substring(SKEY_PREFIX.length()).split("\\+", 3);
    if (parts.length != 3) {
      throw new NoteException("private key must be PRIVATE+KEY+<name>+<hex id>+<base64 key>");
    }
    int id = NoteFormat.parseHexId(parts[1], "private key");
    NoteSigner signer = new NoteSigner(parts[0], NoteFormat.decodeKey(parts[2], "private key"));
    if (signer.keyId != id) {
      throw new NoteException(
          "private key id "
              + parts[1]
              + " does not match its key (computed "
              + NoteFormat.hexId(signer.keyId)
              + ")");
    }
    return signer;
  }

  public String name() {
    return name;
  }

  /** The signed-note key id: SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)[0:4], big-endian. */
  public int keyId() {
    return keyId;
  }

  /** The raw 32-byte Ed25519 public key. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** The private-key string to store; whoever holds it can sign as this key. */
  public String privateKey() {
    return SKEY_PREFIX + name + "+" + NoteFormat.hexId(keyId) + "+" + NoteFormat.encodeKey(seed);
  }

  /** The verifier-key string to publish: {@code <name>+<hex id>+<base64(0x01 ‖ public key)>}. */
  public String verifierKey() {
    return name + "+" + NoteFormat.hexId(keyId) + "+" + NoteFormat.encodeKey(publicKey);
  }

  /** A verifier for this key. */
  public NoteVerifier verifier() {
    return NoteVerifier.parse(verifierKey());
  }

  /**
   * Returns the signed note: {@code text ‖ "\n" ‖ signature line}.
   *
   * @throws NoteException if {@code text} is empty, lacks its final newline or has control
   *     characters
   */
  public String sign(String text) {
    return text + "\n" + signatureLine(text);
  }

  /** The signature line for {@code text}, ending in "\n", to combine with other signers' lines. */
  public String signatureLine(String text) {
    NoteFormat.checkText(text);
    byte[] sig;
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(text.getBytes(StandardCharsets.UTF_8));
      sig = s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
    byte[] blob = new byte[4 + sig.length];
    blob[0] = (byte) (keyId >>> 24);
    blob[1] = (byte) (keyId >>> 16);
    blob[2] = (byte) (keyId >>> 8);
    blob[3] = (byte) keyId;
    System.arraycopy(sig, 0, blob, 4, sig.length);
    return NoteFormat.SIG_PREFIX + name + " " + Base64.getEncoder().encodeToString(blob) + "\n";
  }

  @Override
  public String toString() {
    return "NoteSigner[" + name + "+" + NoteFormat.hexId(keyId) + "]"; // never the seed
  }
}
