package dev.vellum.store;

/**
 * An event ready to be written: sequenced, hashed, and with the columns the indexes need.
 * {@code body} is the canonical JSON that {@code leafHash} commits to.
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
    String body) {}
