package dev.vellum.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Finds text that is not valid Unicode. JSON's {@code \\uD800} escapes can smuggle a lone
 * surrogate into a string; such text has no UTF-8 form, so it can neither be canonicalised
 * (RFC 8785 requires I-JSON) nor hashed, and is rejected with the member's JSON pointer.
 */
final class Utf16 {
  private Utf16() {}

  /** The JSON pointer of the first string or member name with an unpaired surrogate, or null. */
  static String firstUnpairedSurrogate(JsonNode node) {
    if (node.isTextual()) {
      return isWellFormed(node.textValue()) ? null : "";
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (!isWellFormed(f.getKey())) {
          return "/" + escape(f.getKey());
        }
        String inner = firstUnpairedSurrogate(f.getValue());
        if (inner != null) {
          return "/" + escape(f.getKey()) + inner;
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String inner = firstUnpairedSurrogate(node.get(i));
        if (inner != null) {
          return "/" + i + inner;
        }
      }
    }
    return null;
  }

  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
