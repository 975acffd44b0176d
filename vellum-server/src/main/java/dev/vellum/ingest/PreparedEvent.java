package dev.vellum.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * A validated event in canonical form, before sequencing. {@code content} holds exactly the
 * client-visible members (no server-added ones); it is what idempotent retries are compared on.
 * {@code clientId} is false when the server assigned the id (a fresh UUIDv7 that cannot already be
 * stored, so the duplicate lookup can skip it). {@code canonicalMembers} is the RFC 8785 text of
 * each member of {@code content}, rendered on the request thread so that the single writer only has
 * to add its own members.
 */
public record PreparedEvent(
    String tenant,
    String id,
    ObjectNode content,
    long occurredAtMicros,
    String type,
    String category,
    String source,
    String outcome,
    String severity,
    String actorId,
    @Nullable String actorIp,
    @Nullable String sessionId,
    boolean clientId,
    java.util.SortedMap<String, String> canonicalMembers) {}
