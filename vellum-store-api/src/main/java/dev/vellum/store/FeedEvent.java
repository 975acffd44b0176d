package dev.vellum.store;

/**
 * A committed event at its place in the committed-event feed. {@code position} is assigned in the
 * commit transaction and is strictly increasing in commit order across all tenants.
 */
public record FeedEvent(long position, NewEvent event) {}
