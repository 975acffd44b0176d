package dev.vellum.core.merkle;

import java.util.HexFormat;

final class Hex {
  private Hex() {}

  static String of(byte[] b) {
    return b == null ? "null" : HexFormat.of().formatHex(b);
  }
}
