package dev.vellum.core.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The RFC 6962 §2.1 hash functions (identical in RFC 9162 §2.1.1) with SHA-256. Leaf and interior
 * node hashes carry different one-byte prefixes so that a leaf can never be passed off as a node.
 */
public final class Rfc6962 {

  /** Length in bytes of every hash in the tree. */
  public static final int HASH_SIZE = 32;

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("every Java platform must provide SHA-256", e);
            }
          });

  private static final byte[] EMPTY_ROOT = SHA256.get().digest(new byte[0]);

  private Rfc6962() {}

  /** MTH({}) = SHA-256() — the root of the empty tree (RFC 6962 §2.1). */
  public static byte[] emptyRoot() {
    return EMPTY_ROOT.clone();
  }

  /** MTH({d}) = SHA-256(0x00 ‖ d) — the hash of the leaf whose input is {@code data}. */
  public static byte[] leafHash(byte[] data) {
    MessageDigest md = SHA256.get();
    md.update((byte) 0x00);
    md.update(data);
    return md.digest();
  }

  /** SHA-256(0x01 ‖ left ‖ right) — the hash of an interior node (RFC 6962 §2.1). */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest md = SHA256.get();
    md.update((byte) 0x01);
    md.update(left);
    md.update(right);
    return md.digest();
  }

  /** Hashes {@code (0x01 ‖ buf[left..left+32) ‖ buf[right..right+32))} into {@code out[at..]}. */
  static void nodeHashInto(byte[] buf, int left, int right, byte[] out, int at) {
    MessageDigest md = SHA256.get();
    md.update((byte) 0x01);
    md.update(buf, left, HASH_SIZE);
    md.update(buf, right, HASH_SIZE);
    try {
      md.digest(out, at, HASH_SIZE);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException("SHA-256 digest into a 32-byte slot failed", e);
    }
  }
}
