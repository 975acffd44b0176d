package dev.vellum.store;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * An event ready to be written: sequenced, hashed, and with the columns the indexes need.
 * {@code body} is the canonical JSON that {@code leafHash} commits to. {@code content} is the
 * client's members already parsed when the event comes straight from ingest, so consumers
 * handed it in memory need not parse {@code body} again; it is null when read from a store.
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
    String body,
    @Nullable JsonNode content) {}
