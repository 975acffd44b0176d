package dev.vellum.store;

/** An event as read back: its place in the tenant's log and the exact stored canonical JSON. */
public record StoredEvent(
    long seq, String id, long occurredAtMicros, byte[] leafHash, String body) {}
