package dev.vellum.core.json;

/** String serialisation of RFC 8785 §3.2.2.2. */
final class JsonStrings {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonStrings() {}

  /*
   * RFC 8785 §3.2.2.2: a string is written between double quotes; '"' and '\' are escaped as
   * \" and \\; the controls U+0008, U+0009, U+000A, U+000C, U+000D use their two-character
   * escapes \b \t \n \f \r; every other control U+0000..U+001F is written \\u00hh with lowercase
   * hex; every other code point, including U+007F and all non-ASCII, is written as itself.
   * I-JSON (RFC 7493 §2.1) forbids unpaired surrogates, which also could not be encoded as UTF-8.
   */

  /**
   * Appends {@code s} as a canonical JSON string literal.
   *
   * @throws IllegalArgumentException if {@code s} contains an unpaired surrogate
   */
  static void append(String s, StringBuilder out, Object pointer) {
    out.append('"');
    int n = s.length();
    if (isPlain(s, n)) {
      out.append(s).append('"');
      return;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
              throw unpaired(c, i, pointer);
            }
            out.append(c).append(s.charAt(++i));
          } else if (Character.isLowSurrogate(c)) {
            throw unpaired(c, i, pointer);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** True when no character needs escaping or checking: the common case, copied in one go. */
  private static boolean isPlain(String s, int n) {
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private static NotIJsonException unpaired(char c, int index, Object pointer) {
    return new NotIJsonException(
        pointer,
        String.format(
            "unpaired UTF-16 surrogate U+%04X at char %d of a string at '%s' (I-JSON, RFC 7493 §2.1)",
            (int) c, index, pointer));
  }
}
