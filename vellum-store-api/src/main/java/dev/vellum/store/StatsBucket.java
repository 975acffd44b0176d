package dev.vellum.store;

/** Number of events in one time bucket with one value of the grouping column. */
public record StatsBucket(long bucketStartMicros, String group, long count) {}
