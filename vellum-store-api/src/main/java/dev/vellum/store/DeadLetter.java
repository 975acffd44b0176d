package dev.vellum.store;

/** An event a feed consumer gave up on after its bounded retries, with the last error. */
public record DeadLetter(
    String consumer,
    long position,
    String tenant,
    long seq,
    String eventId,
    String error,
    int attempts,
    long failedAtMicros) {}
