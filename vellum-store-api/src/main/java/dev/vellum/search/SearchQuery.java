package dev.vellum.search;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An engine-neutral search over one tenant's events. Null members do not filter. Times are
 * microseconds since the epoch; {@code from} is inclusive and {@code to} exclusive. {@code after}
 * is the keyset position (occurred_at, seq) of the last event of the previous page. Results come in
 * (occurred_at, seq) order, ascending or descending.
 */
public record SearchQuery(
    String tenant,
    @Nullable Long fromMicros,
    @Nullable Long toMicros,
    @Nullable List<String> types,
    @Nullable String category,
    @Nullable String source,
    @Nullable String actorId,
    @Nullable String actorIp,
    @Nullable String targetType,
    @Nullable String targetId,
    @Nullable String outcome,
    @Nullable String severity,
    @Nullable String sessionId,
    @Nullable String tag,
    @Nullable FullText fullText,
    boolean ascending,
    int limit,
    @Nullable Position after) {

  /** Keyset position in (occurred_at, seq) order. */
  public record Position(long occurredAtMicros, long seq) {}

  /**
   * Words that must all occur in an event's text, lower-cased Unicode letters and digits; the last
   * one matches as a prefix when {@code lastIsPrefix} (typing-as-you-search).
   */
  public record FullText(List<String> words, boolean lastIsPrefix) {
    public FullText {
      words = List.copyOf(words);
      if (words.isEmpty()) {
        throw new IllegalArgumentException("full text needs at least one word");
      }
    }
  }
}
