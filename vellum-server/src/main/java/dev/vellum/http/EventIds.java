package dev.vellum.http;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Event ids in paths. Ingest stores a UUID id in lower case (RFC 9562 §4: UUIDs are compared
 * case-insensitively and output in lower case), so a lookup folds a UUID to lower case too; any
 * other id is looked up as written.
 */
final class EventIds {
  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private EventIds() {}

  static String lookupForm(String id) {
    return UUID.matcher(id).matches() ? id.toLowerCase(Locale.ROOT) : id;
  }
}
