package dev.vellum.core.merkle;

import java.util.Arrays;
import java.util.List;

/**
 * Verification of RFC 9162 inclusion and consistency proofs (SHA-256, the RFC 6962 hashing). Each
 * method returns normally only if the proof holds, and otherwise throws {@link ProofException}
 * naming what differs.
 */
public final class ProofVerifier {

  private ProofVerifier() {}

  /**
   * Checks that {@code leafHash} is the leaf at {@code index} of the tree of {@code size} leaves
   * whose root is {@code root}.
   *
   * @throws ProofException if the proof does not hold
   */
  public static void verifyInclusion(
      long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
    byte[] calculated = rootFromInclusionProof(index, size, leafHash, proof);
    if (!Arrays.equals(calculated, root)) {
      throw new ProofException(
          "root mismatch at size "
              + size
              + " (inclusion of leaf "
              + index
              + "): expected "
              + Hex.of(root)
              + ", calculated "
              + Hex.of(calculated));
    }
  }

  /**
   * Returns the root that an inclusion proof for {@code leafHash} at {@code index} implies for a
   * tree of {@code size} leaves. The caller MUST compare it with a trusted root.
   *
   * @throws ProofException if the proof's shape does not fit {@code index} and {@code size}
   */
  public static byte[] rootFromInclusionProof(
      long index, long size, byte[] leafHash, List<byte[]> proof) {
    if (index < 0 || size < 0 || index >= size) {
      throw new ProofException("leaf index " + index + " is not within tree size " + size);
    }
    checkHash("leaf hash", leafHash);
    checkHashes(proof);
    /*
     * RFC 9162 §2.1.3.2. fn is the leaf's index and sn the last index at the current level; each
     * step climbs one level. When fn is a right child (odd), or the last node of its level with
     * no right sibling (fn == sn), the proof element is its left sibling; a node that is last of
     * its level without being a right child is promoted unchanged (the shift loop) until it is.
     */
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0) {
        throw new ProofException(
            "inclusion proof for leaf "
                + index
                + " at size "
                + size
                + " has "
                + proof.size()
                + " hashes, more than the path length");
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = Rfc6962.nodeHash(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = Rfc6962.nodeHash(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new ProofException(
          "inclusion proof for leaf "
              + index
              + " at size "
              + size
              + " has "
              + proof.size()
              + " hashes, fewer than the path length");
    }
    return r;
  }

  /**
   * Checks that the tree of {@code size2} leaves with root {@code root2} extends the tree of {@code
   * size1} leaves with root {@code root1}. Equal sizes need an empty proof and equal roots; a size
   * of 0 is only consistent with itself, and only with the empty-tree root.
   *
   * @throws ProofException if the proof does not hold
   */
  public static void verifyConsistency(
      long size1, long size2, List<byte[]> proof, byte[] root1, byte[] root2) {
    if (size1 < 0 || size2 < size1) {
      throw new ProofException(
          "tree size " + size2 + " cannot extend tree size " + size1 + " (sizes must not shrink)");
    }
    if (size1 == size2) {
      if (!proof.isEmpty()) {
        throw new ProofException(
            "consistency proof between equal sizes "
                + size1
                + " must be empty, has "
                + proof.size()
                + " hashes");
      }
      if (!Arrays.equals(root1, root2)) {
        throw new ProofException(
            "root mismatch at size "
                + size1
                + ": expected "
                + Hex.of(root2)
                + ", calculated "
                + Hex.of(root1));
      }
      if (size1 == 0 && !Arrays.equals(root1, Rfc6962.emptyRoot())) {
        throw new ProofException(
            "root mismatch at size 0: expected "
                + Hex.of(Rfc6962.emptyRoot())
                + ", calculated "
                + Hex.of(root1));
      }
      return;
    }
    if (size1 == 0) {
      throw new ProofException(
          "the empty tree is a prefix of every tree; a consistency proof from size 0 proves"
              + " nothing and is rejected");
    }
    if (proof.isEmpty()) {
      throw new ProofException(
          "consistency proof from size " + size1 + " to " + size2 + " is empty");
    }
    checkHashes(proof);
    /*
     * RFC 9162 §2.1.4.2. Walk the path of leaf size1-1 in the tree of size2 leaves. Hashes on the
     * left of that path rebuild both roots (fr, sr); hashes on its right only the new root (sr).
     * When size1 is a power of two the old tree is itself a node on the path, so its root is the
     * implicit first proof element (step 2).
     */
    int next = 0;
    byte[] seed;
    if (Long.bitCount(size1) == 1) {
      seed = root1;
    } else {
      seed = proof.get(next++);
    }
    long fn = size1 - 1;
    long sn = size2 - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = seed;
    byte[] sr = seed;
    for (; next < proof.size(); next++) {
      byte[] c = proof.get(next);
      if (sn == 0) {
        throw new ProofException(
            "consistency proof from size "
                + size1
                + " to "
                + size2
                + " has "
                + proof.size()
                + " hashes, more than the path length");
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = Rfc6962.nodeHash(c, fr);
        sr = Rfc6962.nodeHash(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        sr = Rfc6962.nodeHash(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new ProofException(
          "consistency proof from size "
              + size1
              + " to "
              + size2
              + " has "
              + proof.size()
              + " hashes, fewer than the path length");
    }
    if (!Arrays.equals(fr, root1)) {
      throw new ProofException(
          "root mismatch at size "
              + size1
              + ": expected "
              + Hex.of(root1)
              + ", calculated "
              + Hex.of(fr));
    }
    if (!Arrays.equals(sr, root2)) {
      throw new ProofException(
          "root mismatch at size "
              + size2
              + ": expected "
              + Hex.of(root2)
              + ", calculated "
              + Hex.of(sr));
    }
  }

  private static void checkHashes(List<byte[]> proof) {
    for (int i = 0; i < proof.size(); i++) {
      checkHash("proof hash " + i, proof.get(i));
    }
  }

  private static void checkHash(String what, byte[] hash) {
    if (hash == null || hash.length != Rfc6962.HASH_SIZE) {
      throw new ProofException(
          what
              + " has "
              + (hash == null ? "no" : hash.length)
              + " bytes, expected "
              + Rfc6962.HASH_SIZE);
    }
  }
}
