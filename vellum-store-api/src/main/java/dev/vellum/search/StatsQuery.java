package dev.vellum.search;

import java.util.Locale;

/**
 * An engine-neutral count of one tenant's events per time bucket and per value of one member. Times
 * are microseconds since the epoch; {@code from} is inclusive, {@code to} exclusive. Bucket {@code
 * i} starts at {@code fromMicros + i * bucketMicros}. The caller bounds the number of buckets; the
 * constructor refuses only what no engine could answer.
 */
public record StatsQuery(
    String tenant, long fromMicros, long toMicros, long bucketMicros, Group groupBy) {

  /** The members an event can be counted by: each holds one short value per event. */
  public enum Group {
    TYPE,
    OUTCOME,
    SOURCE,
    CATEGORY,
    SEVERITY;

    /** The member's name in the API ({@code type}, {@code outcome}, …). */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The group of an API name; throws {@link IllegalArgumentException} for any other. */
    public static Group of(String wireName) {
      for (Group g : values()) {
        if (g.wireName().equals(wireName)) {
          return g;
        }
      }
      throw new IllegalArgumentException("cannot count events by " + wireName);
    }
  }

  public StatsQuery {
    if (fromMicros >= toMicros) {
      throw new IllegalArgumentException(
          "stats range is empty: from " + fromMicros + " is not before to " + toMicros);
    }
    if (bucketMicros <= 0) {
      throw new IllegalArgumentException("bucket width must be positive, not " + bucketMicros);
    }
  }
}
