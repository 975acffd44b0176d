package dev.vellum.core.note;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import org.jspecify.annotations.Nullable;

/**
 * Raw Ed25519 keys (RFC 8032: a 32-byte seed, a 32-byte encoded point) to and from JDK keys, and
 * the signed-note key id.
 */
final class Ed25519Keys {

  /** Signed-note signature-type byte for Ed25519 (C2SP signed-note "Signature types"). */
  static final byte ALG_ED25519 = 0x01;

  private Ed25519Keys() {}

  /*
   * RFC 8032 §5.1.2: a public key is the 255-bit little-endian y coordinate with the low bit of x
   * in the top bit of the last byte. The JDK's EdECPoint holds (xOdd, y) separately.
   * The JDK has no "public key of this seed" call, but its Ed25519 KeyPairGenerator draws exactly
   * the 32-byte seed from the SecureRandom it is given (RFC 8032 §5.1.5 key generation), so a
   * SecureRandom that yields the seed once derives the matching public key.
   */

  static PrivateKey privateKey(byte[] seed) {
    check(seed, "Ed25519 seed");
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed.clone()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK rejected a 32-byte Ed25519 seed", e);
    }
  }

  static byte[] publicKeyOfSeed(byte[] seed) {
    check(seed, "Ed25519 seed");
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("Ed25519");
      gen.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
      KeyPair pair = gen.generateKeyPair();
      return encode(pair.getPublic());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK Ed25519 key generation failed", e);
    }
  }

  static PublicKey publicKey(byte[] raw) {
    check(raw, "Ed25519 public key");
    byte[] le = raw.clone();
    boolean xOdd = (le[31] & 0x80) != 0;
    le[31] &= 0x7f;
    byte[] be = new byte[32];
    for (int i = 0; i < 32; i++) {
      be[i] = le[31 - i];
    }
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePublic(
              new EdECPublicKeySpec(
                  NamedParameterSpec.ED25519, new EdECPoint(xOdd, new BigInteger(1, be))));
    } catch (GeneralSecurityException e) {
      throw new NoteException("not a valid Ed25519 public key", e);
    }
  }

  static byte[] encode(PublicKey key) {
    EdECPoint p = ((EdECPublicKey) key).getPoint();
    byte[] be = p.getY().toByteArray(); // big-endian, maybe with a leading 0 byte
    byte[] out = new byte[32];
    for (int i = 0; i < 32 && i < be.length; i++) {
      out[i] = be[be.length - 1 - i];
    }
    if (p.isXOdd()) {
      out[31] |= (byte) 0x80;
    }
    return out;
  }

  /** Key id = first 4 bytes, big-endian, of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key). */
  static int keyId(String name, byte[] publicKey) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(name.getBytes(StandardCharsets.UTF_8));
      md.update((byte) '\n');
      md.update(ALG_ED25519);
      md.update(publicKey);
      byte[] h = md.digest();
      return ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** Key names: non-empty, no '+', no whitespace or control characters (C2SP signed-note). */
  static void checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw new NoteException("key name must not be empty");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '+'
          || Character.isWhitespace(c)
          || Character.isSpaceChar(c)
          || Character.isISOControl(c)) {
        throw new NoteException(
            String.format("key name \"%s\" contains forbidden character U+%04X", name, (int) c));
      }
    }
  }

  private static void check(byte[] b, String what) {
    if (b == null || b.length != 32) {
      throw new NoteException(what + " must be 32 bytes, got " + (b == null ? "none" : b.length));
    }
  }

  /** Yields the given seed, then refuses: used once by the JDK key generator. */
  private static final class SeedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private byte @Nullable [] seed;

    SeedRandom(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (seed == null || bytes.length != seed.length) {
        throw new IllegalStateException("seed random asked for " + bytes.length + " bytes");
      }
      System.arraycopy(seed, 0, bytes, 0, bytes.length);
      seed = null;
    }
  }
}
