package dev.vellum.client;

import org.jspecify.annotations.Nullable;

/**
 * Counters of one client since it was built. {@code sent} counts events the server committed now,
 * {@code duplicates} those it already held (retries whose first answer was lost, or spool replays),
 * {@code retried} events sent again after a failed attempt, {@code spooled} events fsynced to the
 * spool, {@code replayed} events found in the spool of an earlier run, {@code failed} events that
 * will not be delivered (rejected, refused, or dropped at close), and {@code pending} events
 * recorded but not yet settled.
 */
public record ClientStats(
    long recorded,
    long sent,
    long duplicates,
    long retried,
    long spooled,
    long replayed,
    long failed,
    long pending,
    int consecutiveFailures,
    @Nullable String lastFailure) {}
