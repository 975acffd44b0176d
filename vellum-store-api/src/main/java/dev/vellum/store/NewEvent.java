package dev.vellum.store;

import org.jspecify.annotations.Nullable;

/**
 * An event ready to be written: sequenced, hashed, and with the columns the indexes need. {@code
 * body} is the canonical JSON that {@code leafHash} commits to. Consumers handed an event in memory
 * parse {@code body} themselves (a few microseconds for 1 KiB): keeping the request's parsed tree
 * alive until every consumer has taken it would hold far more heap.
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
    @Nullable String actorIp,
    @Nullable String sessionId,
    byte[] leafHash,
    String body) {}
