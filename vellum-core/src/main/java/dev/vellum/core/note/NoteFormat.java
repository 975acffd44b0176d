package dev.vellum.core.note;

import java.util.Base64;
import java.util.HexFormat;

/** Shared pieces of the C2SP signed-note encoding. */
final class NoteFormat {

  /** Every signature line starts with U+2014 EM DASH and a space. */
  static final String SIG_PREFIX = "\u2014 ";

  private NoteFormat() {}

  /*
   * C2SP signed-note: a note is text ‖ "\n" ‖ signature lines. The text is non-empty UTF-8
   * ending in "\n" with no control characters other than newline; the signature block is the
   * part after the last blank line ("\n\n"). A signature line is
   *   "— " ‖ key name ‖ " " ‖ base64(4-byte big-endian key id ‖ signature) ‖ "\n".
   * An Ed25519 signature is computed over the text bytes alone (including its final "\n").
   */

  static void checkText(String text) {
    if (text == null || text.isEmpty() || !text.endsWith("\n")) {
      throw new NoteException("note text must be non-empty and end with a newline");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\n') || c == 0x7f) {
        throw new NoteException(
            String.format("note text contains control character U+%04X at char %d", (int) c, i));
      }
      if (Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c)
              && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(++i)))) {
        throw new NoteException("note text contains an unpaired UTF-16 surrogate at char " + i);
      }
    }
  }

  static String hexId(int keyId) {
    return HexFormat.of().toHexDigits(keyId);
  }

  static int parseHexId(String hex, String what) {
    if (hex.length() != 8
        || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw new NoteException(what + " key id \"" + hex + "\" is not 8 lowercase hex digits");
    }
    return (int) Long.parseLong(hex, 16);
  }

  /** Decodes base64(0x01 ‖ 32 bytes) as used by both key strings. */
  static byte[] decodeKey(String b64, String what) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new NoteException(what + " is not base64", e);
    }
    if (raw.length != 33 || raw[0] != Ed25519Keys.ALG_ED25519) {
      throw new NoteException(
          what
              + " must be 0x01 (Ed25519) followed by 32 bytes, got "
              + raw.length
              + " bytes"
              + (raw.length > 0 ? String.format(", type 0x%02x", raw[0]) : ""));
    }
    byte[] key = new byte[32];
    System.arraycopy(raw, 1, key, 0, 32);
    return key;
  }

  static String encodeKey(byte[] key) {
    byte[] raw = new byte[33];
    raw[0] = Ed25519Keys.ALG_ED25519;
    System.arraycopy(key, 0, raw, 1, 32);
    return Base64.getEncoder().encodeToString(raw);
  }
}
