package dev.vellum.search;

/**
 * The number of events in one time bucket with one value of the grouping member; {@code group} is
 * the empty string for events without a value.
 */
public record StatsBucket(long bucketStartMicros, String group, long count) {}
