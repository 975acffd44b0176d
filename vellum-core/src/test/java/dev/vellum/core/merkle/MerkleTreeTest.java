package dev.vellum.core.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Cross-checks proof generation against {@link NaiveTree} and attacks verification. */
class MerkleTreeTest {

  private static NaiveTree randomTree(Random random, int size) {
    List<byte[]> data = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      byte[] d = new byte[random.nextInt(8)];
      random.nextBytes(d);
      data.add(d);
    }
    return NaiveTree.ofData(data);
  }

  private static void assertSameHashes(List<byte[]> expected, List<byte[]> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), "hash " + i);
    }
  }

  @Test
  void everyInclusionProofMatchesReferenceForAllSmallTrees() {
    NaiveTree tree = randomTree(new Random(1), 70);
    for (int size = 1; size <= 70; size++) {
      for (int index = 0; index < size; index++) {
        List<byte[]> proof = MerkleTree.inclusionProof(tree.nodeReader(), index, size);
        assertSameHashes(tree.inclusionProof(index, size), proof);
        ProofVerifier.verifyInclusion(
            index, size, tree.mth(index, index + 1), proof, tree.root(size));
      }
    }
  }

  @Test
  void everyConsistencyProofMatchesReferenceForAllSmallTrees() {
    NaiveTree tree = randomTree(new Random(2), 70);
    for (int size2 = 1; size2 <= 70; size2++) {
      for (int size1 = 1; size1 <= size2; size1++) {
        List<byte[]> proof = MerkleTree.consistencyProof(tree.nodeReader(), size1, size2);
        assertSameHashes(tree.consistencyProof(size1, size2), proof);
        ProofVerifier.verifyConsistency(size1, size2, proof, tree.root(size1), tree.root(size2));
      }
    }
  }

  @Test
  void proofsMatchReferenceForRandomLargerSizes() {
    Random random = new Random(6962);
    NaiveTree tree = randomTree(random, 3000);
    for (int i = 0; i < 200; i++) {
      int size2 = 1 + random.nextInt(3000);
      int size1 = 1 + random.nextInt(size2);
      int index = random.nextInt(size2);
      assertSameHashes(
          tree.inclusionProof(index, size2),
          MerkleTree.inclusionProof(tree.nodeReader(), index, size2));
      assertSameHashes(
          tree.consistencyProof(size1, size2),
          MerkleTree.consistencyProof(tree.nodeReader(), size1, size2));
      assertArrayEquals(tree.root(size2), MerkleTree.root(tree.nodeReader(), size2));
    }
  }

  @Test
  void inclusionProofFailsWhenAnyBitFlipped() {
    Random random = new Random(9162);
    NaiveTree tree = randomTree(random, 300);
    for (int trial = 0; trial < 20; trial++) {
      int size = 1 + random.nextInt(300);
      int index = random.nextInt(size);
      byte[] leaf = tree.mth(index, index + 1);
      byte[] root = tree.root(size);
      List<byte[]> proof = MerkleTree.inclusionProof(tree.nodeReader(), index, size);
      for (int bit = 0; bit < 256; bit++) {
        byte[] badLeaf = flip(leaf, bit);
        byte[] badRoot = flip(root, bit);
        assertThrows(
            ProofException.class,
            () -> ProofVerifier.verifyInclusion(index, size, badLeaf, proof, root));
        assertThrows(
            ProofException.class,
            () -> ProofVerifier.verifyInclusion(index, size, leaf, proof, badRoot));
        for (int p = 0; p < proof.size(); p++) {
          List<byte[]> badProof = new ArrayList<>(proof);
          badProof.set(p, flip(proof.get(p), bit));
          assertThrows(
              ProofException.class,
              () -> ProofVerifier.verifyInclusion(index, size, leaf, badProof, root));
        }
      }
    }
  }

  @Test
  void consistencyProofFailsWhenAnyBitFlipped() {
    Random random = new Random(8785);
    NaiveTree tree = randomTree(random, 300);
    int checked = 0;
    while (checked < 20) {
      int size2 = 2 + random.nextInt(299);
      int size1 = 1 + random.nextInt(size2 - 1);
      byte[] root1 = tree.root(size1);
      byte[] root2 = tree.root(size2);
      List<byte[]> proof = MerkleTree.consistencyProof(tree.nodeReader(), size1, size2);
      for (int bit = 0; bit < 256; bit++) {
        byte[] bad1 = flip(root1, bit);
        byte[] bad2 = flip(root2, bit);
        assertThrows(
            ProofException.class,
            () -> ProofVerifier.verifyConsistency(size1, size2, proof, bad1, root2));
        assertThrows(
            ProofException.class,
            () -> ProofVerifier.verifyConsistency(size1, size2, proof, root1, bad2));
        for (int p = 0; p < proof.size(); p++) {
          List<byte[]> badProof = new ArrayList<>(proof);
          badProof.set(p, flip(proof.get(p), bit));
          assertThrows(
              ProofException.class,
              () -> ProofVerifier.verifyConsistency(size1, size2, badProof, root1, root2));
        }
      }
      checked++;
    }
  }

  @Test
  void inclusionProofFailsAtWrongIndexOrSize() {
    NaiveTree tree = randomTree(new Random(3), 100);
    List<byte[]> proof = MerkleTree.inclusionProof(tree.nodeReader(), 37, 100);
    byte[] leaf = tree.mth(37, 38);
    byte[] root = tree.root(100);
    assertThrows(
        ProofException.class, () -> ProofVerifier.verifyInclusion(36, 100, leaf, proof, root));
    assertThrows(
        ProofException.class, () -> ProofVerifier.verifyInclusion(38, 100, leaf, proof, root));
    assertThrows(
        ProofException.class, () -> ProofVerifier.verifyInclusion(37, 64, leaf, proof, root));
    assertThrows(
        ProofException.class, () -> ProofVerifier.verifyInclusion(37, 200, leaf, proof, root));
    // Sizes 99 and 100 give leaf 37 the same path shape, so the proof alone cannot tell them
    // apart; the signed root binds the size. This documents that, rather than hiding it.
    ProofVerifier.verifyInclusion(37, 99, leaf, proof, root);
    assertThrows(
        ProofException.class, () -> ProofVerifier.verifyInclusion(37, 37, leaf, proof, root));
    assertThrows(
        ProofException.class, () -> ProofVerifier.verifyInclusion(-1, 100, leaf, proof, root));
  }

  @Test
  void rootMismatchMessageNamesSizeAndBothHashes() {
    NaiveTree tree = randomTree(new Random(4), 1024);
    List<byte[]> proof = MerkleTree.inclusionProof(tree.nodeReader(), 5, 1024);
    byte[] wrongRoot = new byte[32];
    ProofException e =
        assertThrows(
            ProofException.class,
            () -> ProofVerifier.verifyInclusion(5, 1024, tree.mth(5, 6), proof, wrongRoot));
    assertTrue(e.getMessage().startsWith("root mismatch at size 1024"), e.getMessage());
    assertTrue(e.getMessage().contains("expected " + "00".repeat(32)), e.getMessage());
    assertTrue(e.getMessage().contains("calculated " + Hex.of(tree.root(1024))), e.getMessage());
  }

  @Test
  void consistencyRejectsShrinkingAndEmptyTrees() {
    byte[] any = new byte[32];
    assertThrows(
        ProofException.class, () -> ProofVerifier.verifyConsistency(5, 4, List.of(), any, any));
    assertThrows(
        ProofException.class,
        () -> ProofVerifier.verifyConsistency(0, 4, List.of(any), Rfc6962.emptyRoot(), any));
    ProofVerifier.verifyConsistency(0, 0, List.of(), Rfc6962.emptyRoot(), Rfc6962.emptyRoot());
  }

  @Test
  void generatorRejectsOutOfRangeArguments() {
    NodeReader none =
        (l, i) -> {
          throw new AssertionError("no read expected");
        };
    assertThrows(IllegalArgumentException.class, () -> MerkleTree.inclusionProof(none, 4, 4));
    assertThrows(IllegalArgumentException.class, () -> MerkleTree.inclusionProof(none, -1, 4));
    assertThrows(IllegalArgumentException.class, () -> MerkleTree.consistencyProof(none, 0, 4));
    assertThrows(IllegalArgumentException.class, () -> MerkleTree.consistencyProof(none, 5, 4));
    assertThrows(IllegalArgumentException.class, () -> MerkleTree.root(none, -1));
    assertTrue(MerkleTree.consistencyProof(none, 4, 4).isEmpty());
    assertArrayEquals(Rfc6962.emptyRoot(), MerkleTree.root(none, 0));
  }

  @Test
  void proofsAtHugeSizesReadOnlyLogarithmicallyManyNodes() {
    // A synthetic reader: any node hash is a function of (level, index); the proofs are not
    // meaningful but the number of reads is what a real store would see.
    long size = (1L << 40) + 12345;
    int[] reads = {0};
    NodeReader counting =
        (level, index) -> {
          reads[0]++;
          return Rfc6962.leafHash(new byte[] {(byte) level, (byte) index});
        };
    MerkleTree.inclusionProof(counting, size - 1, size);
    assertTrue(reads[0] <= 2 * 41, "inclusion reads: " + reads[0]);
    reads[0] = 0;
    MerkleTree.consistencyProof(counting, size / 3, size);
    assertTrue(reads[0] <= 2 * 41, "consistency reads: " + reads[0]);
  }

  static byte[] flip(byte[] b, int bit) {
    byte[] c = b.clone();
    c[bit / 8] ^= (byte) (1 << (bit % 8));
    return c;
  }
}
