package dev.vellum.store;

/**
 * An event ready to be written: sequenced, hashed, and with the columns the indexes need.
 * {@code body} is the canonical JSON that {@code leafHash} commits to. {@code search} is what
 * the search index keeps of the body, or null; a store may use it to index the event without
 * parsing {@code body} again.
 */
public record NewEvent(
    String tenant,
    long seq,
    String id,
    long occurredAtMicros,
    long receivedAtMicros,
    String type,
    String category,
    String source,
    String outcome,
    String severity,
    String actorId,
    String actorIp,
    String sessionId,
    byte[] leafHash,
    String body,
    SearchDocument search) {}
