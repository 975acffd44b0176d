package dev.vellum.store;

import java.util.List;
import java.util.Optional;

/**
 * Something that follows the committed-event feed: the search index, and later the archiver, the
 * rules engine and outbound streams. Delivery is at least once: after a crash a consumer may be
 * handed events again, so {@link #accept} must be idempotent.
 */
public interface FeedConsumer {
  /** A stable name: the key of the consumer's durable position and dead letters. */
  String name();

  /**
   * Handles events in feed order and returns only when its output for them is durable (the runner
   * then advances the consumer's position), or, for a consumer that makes its output durable on a
   * schedule of its own, when {@link #resumeFrom} will answer no more than what is durable, so that
   * anything lost in a crash is delivered again. Throwing means none of them counts as handled; the
   * runner retries and, if one event keeps failing, dead-letters it.
   */
  void accept(List<FeedEvent> events) throws Exception;

  /**
   * A failure the consumer is retrying on a schedule of its own, outside {@link #accept} (the
   * archiver's timed seals), or empty. Shown with the consumer's status and watched by the {@code
   * consumer_failing} alarm signal, like the runner's own retries.
   */
  default java.util.Optional<String> failure() {
    return java.util.Optional.empty();
  }

  /**
   * The position to resume from, given the one the runner stored. A consumer whose output can be
   * lost or deleted (a rebuildable index) answers the lower of that and what its own output covers,
   * so that it is rebuilt rather than left with a hole.
   */
  default long resumeFrom(long storedPosition) {
    return storedPosition;
  }

  /**
   * For a consumer that must run on one node of a cluster at a time (the archiver, the rules
   * engine, outbound streams): the lease role it runs under. Empty (the default) for a consumer
   * every node runs for itself, such as its own search index.
   */
  default Optional<String> clusterRole() {
    return Optional.empty();
  }
}
