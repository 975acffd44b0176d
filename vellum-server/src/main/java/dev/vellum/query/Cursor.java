package dev.vellum.query;

import dev.vellum.search.SearchQuery;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque page cursor: the keyset position (occurred_at, seq) of the last event returned and the
 * sort order it belongs to, as base64url text. Decoding is strict; any malformed cursor is an
 * {@link IllegalArgumentException} with a reason fit for the client.
 */
public final class Cursor {
  private static final String VERSION = "c1";

  private Cursor() {}

  public static String encode(SearchQuery.Position p, boolean ascending) {
    String text =
        VERSION + ":" + (ascending ? "a" : "d") + ":" + p.occurredAtMicros() + ":" + p.seq();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  public static SearchQuery.Position decode(String cursor, boolean ascending) {
    if (cursor == null || cursor.isEmpty() || cursor.length() > 128) {
      throw new IllegalArgumentException("malformed cursor");
    }
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed cursor");
    }
    String[] parts = text.split(":", -1);
    if (parts.length != 4
        || !VERSION.equals(parts[0])
        || !(parts[1].equals("a") || parts[1].equals("d"))) {
      throw new IllegalArgumentException("malformed cursor");
    }
    if (parts[1].equals("a") != ascending) {
      throw new IllegalArgumentException("cursor belongs to the other sort order");
    }
    try {
      long seq = Long.parseLong(parts[3]);
      if (seq < 0) {
        throw new IllegalArgumentException("malformed cursor");
      }
      return new SearchQuery.Position(Long.parseLong(parts[2]), seq);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("malformed cursor");
    }
  }
}
