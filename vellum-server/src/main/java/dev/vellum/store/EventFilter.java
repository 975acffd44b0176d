package dev.vellum.store;

import java.util.List;

/**
 * A query over one tenant's events. Null members do not filter. Times are microseconds since the
 * epoch; {@code from} is inclusive and {@code to} exclusive. {@code after} is the keyset position
 * (occurred_at, seq) of the last event of the previous page.
 */
public record EventFilter(
    String tenant,
    Long fromMicros,
    Long toMicros,
    List<String> types,
    String category,
    String source,
    String actorId,
    String actorIp,
    String targetType,
    String targetId,
    String outcome,
    String severity,
    String sessionId,
    String tag,
    String fullText,
    boolean ascending,
    int limit,
    Position after) {

  /** Keyset position in (occurred_at, seq) order. */
  public record Position(long occurredAtMicros, long seq) {}
}
