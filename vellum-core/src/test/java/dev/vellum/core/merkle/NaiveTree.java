package dev.vellum.core.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * Reference implementation for tests only: RFC 6962 §2.1 (MTH), §2.1.1 (PATH) and §2.1.2
 * (PROOF/SUBPROOF) transcribed literally as recursion over the full list of leaf hashes, plus the
 * tlog-tiles contents rebuilt level by level. Slow on purpose; never used by main code.
 */
final class NaiveTree {

  private final List<byte[]> leafHashes;

  NaiveTree(List<byte[]> leafHashes) {
    this.leafHashes = leafHashes;
  }

  static NaiveTree ofData(List<byte[]> data) {
    List<byte[]> hashes = new ArrayList<>();
    for (byte[] d : data) {
      hashes.add(Rfc6962.leafHash(d));
    }
    return new NaiveTree(hashes);
  }

  /** MTH(D[lo:hi]). */
  byte[] mth(int lo, int hi) {
    int n = hi - lo;
    if (n == 0) {
      return Rfc6962.emptyRoot();
    }
    if (n == 1) {
      return leafHashes.get(lo);
    }
    int k = largestPowerOfTwoLessThan(n);
    return Rfc6962.nodeHash(mth(lo, lo + k), mth(lo + k, hi));
  }

  byte[] root(int size) {
    return mth(0, size);
  }

  /** PATH(m, D[lo:hi]). */
  List<byte[]> path(int m, int lo, int hi) {
    int n = hi - lo;
    List<byte[]> out = new ArrayList<>();
    if (n == 1) {
      return out;
    }
    int k = largestPowerOfTwoLessThan(n);
    if (m < k) {
      out.addAll(path(m, lo, lo + k));
      out.add(mth(lo + k, hi));
    } else {
      out.addAll(path(m - k, lo + k, hi));
      out.add(mth(lo, lo + k));
    }
    return out;
  }

  List<byte[]> inclusionProof(int index, int size) {
    return path(index, 0, size);
  }

  /** PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
  List<byte[]> consistencyProof(int m, int n) {
    return subproof(m, 0, n, true);
  }

  private List<byte[]> subproof(int m, int lo, int hi, boolean b) {
    int n = hi - lo;
    List<byte[]> out = new ArrayList<>();
    if (m == n) {
      if (!b) {
        out.add(mth(lo, hi));
      }
      return out;
    }
    int k = largestPowerOfTwoLessThan(n);
    if (m <= k) {
      out.addAll(subproof(m, lo, lo + k, b));
      out.add(mth(lo + k, hi));
    } else {
      out.addAll(subproof(m - k, lo + k, hi, false));
      out.add(mth(lo, lo + k));
    }
    return out;
  }

  /** Every perfect node, level by level: levels.get(l).get(i) covers leaves [i·2^l, (i+1)·2^l). */
  List<List<byte[]>> perfectLevels(int size) {
    List<List<byte[]>> levels = new ArrayList<>();
    levels.add(new ArrayList<>(leafHashes.subList(0, size)));
    while (levels.get(levels.size() - 1).size() > 1) {
      List<byte[]> below = levels.get(levels.size() - 1);
      List<byte[]> next = new ArrayList<>();
      for (int i = 0; i + 1 < below.size(); i += 2) {
        next.add(Rfc6962.nodeHash(below.get(i), below.get(i + 1)));
      }
      levels.add(next);
    }
    return levels;
  }

  /** The tlog-tiles contents of the tree of {@code size} leaves, keyed "L/N". */
  java.util.Map<String, byte[]> tiles(int size) {
    java.util.Map<String, byte[]> tiles = new java.util.HashMap<>();
    List<List<byte[]>> levels = perfectLevels(size);
    for (int tileLevel = 0; tileLevel * 8 < levels.size(); tileLevel++) {
      List<byte[]> nodes = levels.get(tileLevel * 8);
      for (int n = 0; n * 256 < nodes.size(); n++) {
        int w = Math.min(256, nodes.size() - n * 256);
        byte[] t = new byte[w * 32];
        for (int i = 0; i < w; i++) {
          System.arraycopy(nodes.get(n * 256 + i), 0, t, i * 32, 32);
        }
        tiles.put(tileLevel + "/" + n, t);
      }
    }
    return tiles;
  }

  /** A NodeReader over perfect nodes computed from scratch (test oracle for MerkleTree). */
  NodeReader nodeReader() {
    return (level, index) -> {
      long lo = index << level;
      long hi = lo + (1L << level);
      if (hi > leafHashes.size()) {
        throw new IllegalStateException("node " + level + "/" + index + " is not complete");
      }
      return mth((int) lo, (int) hi);
    };
  }

  private static int largestPowerOfTwoLessThan(int n) {
    int k = 1;
    while (k << 1 < n) {
      k <<= 1;
    }
    return k;
  }
}
