package dev.vellum.ingest;

import java.util.Map;

/** Facts about one durable commit, for whoever reacts after commits (checkpointer, metrics). */
public record CommittedBatch(Map<String, Long> treeSizeByTenant, int events) {}
