package dev.vellum.core.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Known answers for RFC 6962 hashing. The eight-leaf test tree (leaf inputs "", 00, 10, 2021, 3031,
 * 40414243, 5051525354555657, 606162636465666768696a6b6c6d6e6f) and its roots for sizes 0–8 are
 * those of the transparency-dev {@code merkle} reference tests (as reproduced in
 * /work/shared/testdata/README.md, from merkle commit 417fb0c, Apache-2.0), which inherited them
 * from Certificate Transparency's C++ {@code merkle_tree_test}.
 */
class Rfc6962Test {

  static final List<byte[]> LEAF_INPUTS =
      hexList(
          "",
          "00",
          "10",
          "2021",
          "3031",
          "40414243",
          "5051525354555657",
          "606162636465666768696a6b6c6d6e6f");

  static final List<byte[]> ROOTS =
      hexList(
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
          "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
          "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
          "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
          "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
          "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

  static List<byte[]> hexList(String... hex) {
    List<byte[]> out = new ArrayList<>();
    for (String h : hex) {
      out.add(HexFormat.of().parseHex(h));
    }
    return out;
  }

  @Test
  void emptyRootIsSha256OfNothing() {
    assertEquals(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        HexFormat.of().formatHex(Rfc6962.emptyRoot()));
  }

  @Test
  void leafHashPrefixesZeroByte() {
    // SHA-256(0x00) — the root of the one-leaf tree whose leaf input is empty.
    assertArrayEquals(ROOTS.get(1), Rfc6962.leafHash(new byte[0]));
  }

  @Test
  void nodeHashPrefixesOneByte() {
    byte[] l = Rfc6962.leafHash(LEAF_INPUTS.get(0));
    byte[] r = Rfc6962.leafHash(LEAF_INPUTS.get(1));
    assertArrayEquals(ROOTS.get(2), Rfc6962.nodeHash(l, r));
  }

  @Test
  void emptyRootIsACopy() {
    Rfc6962.emptyRoot()[0] ^= 1;
    assertArrayEquals(ROOTS.get(0), Rfc6962.emptyRoot());
  }

  @ParameterizedTest(name = "size {0}")
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8})
  void naiveReferenceReproducesPublishedRoots(int size) {
    assertArrayEquals(ROOTS.get(size), NaiveTree.ofData(LEAF_INPUTS).root(size));
  }

  @ParameterizedTest(name = "size {0}")
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8})
  void rootFromPerfectNodesReproducesPublishedRoots(int size) {
    NaiveTree tree = NaiveTree.ofData(LEAF_INPUTS);
    assertArrayEquals(ROOTS.get(size), MerkleTree.root(tree.nodeReader(), size));
  }

  @ParameterizedTest(name = "size {0}")
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8})
  void tileAppenderReproducesPublishedRoots(int size) {
    TileAppender appender = new TileAppender(0, List.of());
    List<byte[]> hashes = new ArrayList<>();
    for (byte[] d : LEAF_INPUTS.subList(0, size)) {
      hashes.add(Rfc6962.leafHash(d));
    }
    appender.append(hashes);
    assertArrayEquals(ROOTS.get(size), appender.root());
  }
}
