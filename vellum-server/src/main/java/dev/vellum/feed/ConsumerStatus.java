package dev.vellum.feed;

import org.jspecify.annotations.Nullable;

/**
 * What {@code GET /v1/admin/consumers} shows of one consumer. {@code lastError} is the consumer's
 * own failure while it reports one, else the last failure the runner retried.
 */
public record ConsumerStatus(
    String name,
    ConsumerRunner.State state,
    long position,
    long lagEvents,
    double lagSeconds,
    long deadLetters,
    @Nullable String lastError,
    boolean failing) {}
