package dev.vellum.core.merkle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Roots and proofs of an RFC 6962 tree whose perfect subtrees are read through a {@link
 * NodeReader}. Every method reads O(log n) nodes and never scans leaves.
 */
public final class MerkleTree {

  private MerkleTree() {}

  /*
   * RFC 6962 §2.1 splits D[lo:hi] at k, the largest power of two smaller than hi-lo. In every
   * range that the recursion visits, lo is a multiple of k, so the left part D[lo:lo+k] is a
   * perfect subtree (one node read), while a right part D[lo+k:hi] that is not perfect is the
   * fold, right to left, of the perfect subtrees given by the binary digits of its length
   * (hash()). An inclusion or consistency proof meets at most one such imperfect range — the
   * first right sibling on the right edge of the tree — so it costs O(log n) node reads in all.
   * The recursion is unrolled into loops that collect proof hashes top-down; the RFC lists them
   * bottom-up, hence the final reverse.
   */

  /**
   * Returns MTH(D[0:size]), the root of the first {@code size} leaves.
   *
   * @throws IllegalArgumentException if {@code size} is negative
   */
  public static byte[] root(NodeReader reader, long size) {
    if (size < 0) {
      throw new IllegalArgumentException("tree size must not be negative: " + size);
    }
    return size == 0 ? Rfc6962.emptyRoot() : hash(reader, 0, size);
  }

  /**
   * Returns PATH(index, D[0:size]) of RFC 6962 §2.1.1, the audit path of leaf {@code index} in the
   * tree of {@code size} leaves, ordered from the leaf's sibling up to the root's child.
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < size}
   */
  public static List<byte[]> inclusionProof(NodeReader reader, long index, long size) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException(
          "leaf index " + index + " is not within tree size " + size);
    }
    List<byte[]> topDown = new ArrayList<>(64);
    long lo = 0;
    long hi = size;
    while (hi - lo > 1) {
      long k = largestPowerOfTwoBelow(hi - lo);
      if (index < lo + k) {
        topDown.add(hash(reader, lo + k, hi));
        hi = lo + k;
      } else {
        topDown.add(hash(reader, lo, lo + k));
        lo = lo + k;
      }
    }
    Collections.reverse(topDown);
    return topDown;
  }

  /**
   * Returns PROOF(size1, D[0:size2]) of RFC 6962 §2.1.2, the consistency proof between the trees of
   * {@code size1} and {@code size2} leaves. It is empty when the sizes are equal.
   *
   * @throws IllegalArgumentException unless {@code 0 < size1 <= size2}
   */
  public static List<byte[]> consistencyProof(NodeReader reader, long size1, long size2) {
    if (size1 <= 0 || size2 < size1) {
      throw new IllegalArgumentException(
          "consistency proof needs 0 < size1 <= size2, got size1 " + size1 + ", size2 " + size2);
    }
    // SUBPROOF(m, D[lo:hi], b) with m = size1 - lo; b is true until the first right turn.
    List<byte[]> topDown = new ArrayList<>(64);
    long lo = 0;
    long hi = size2;
    boolean wholeOldTree = true;
    while (size1 - lo != hi - lo) {
      long k = largestPowerOfTwoBelow(hi - lo);
      if (size1 - lo <= k) {
        topDown.add(hash(reader, lo + k, hi));
        hi = lo + k;
      } else {
        topDown.add(hash(reader, lo, lo + k));
        lo = lo + k;
        wholeOldTree = false;
      }
    }
    if (!wholeOldTree) {
      topDown.add(hash(reader, lo, hi));
    }
    Collections.reverse(topDown);
    return topDown;
  }

  /** MTH(D[lo:hi]) for a range whose start is aligned as in the RFC recursion (see above). */
  static byte[] hash(NodeReader reader, long lo, long hi) {
    long n = hi - lo;
    if (Long.bitCount(n) == 1) {
      int level = Long.numberOfTrailingZeros(n);
      return reader.node(level, lo >>> level);
    }
    // Perfect subtrees left to right, then fold right to left: H(P1, H(P2, ... H(Pk-1, Pk))).
    int count = Long.bitCount(n);
    byte[][] parts = new byte[count][];
    long at = lo;
    for (int i = 0, bit = 63 - Long.numberOfLeadingZeros(n); bit >= 0; bit--) {
      if ((n & (1L << bit)) != 0) {
        if (at % (1L << bit) != 0) {
          throw new IllegalArgumentException(
              "range [" + lo + ", " + hi + ") does not split into aligned perfect subtrees");
        }
        parts[i++] = reader.node(bit, at >>> bit);
        at += 1L << bit;
      }
    }
    byte[] acc = parts[count - 1];
    for (int i = count - 2; i >= 0; i--) {
      acc = Rfc6962.nodeHash(parts[i], acc);
    }
    return acc;
  }

  /** The largest power of two strictly smaller than {@code n}, for {@code n > 1}. */
  static long largestPowerOfTwoBelow(long n) {
    return Long.highestOneBit(n - 1);
  }
}
