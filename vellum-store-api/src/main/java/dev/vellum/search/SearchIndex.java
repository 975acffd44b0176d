package dev.vellum.search;

import dev.vellum.store.FeedConsumer;
import dev.vellum.store.StoredEvent;
import java.util.List;

/**
 * The search port: an index derived from the committed-event feed (it is a feed consumer) that
 * answers {@link SearchQuery}s and counts ({@link StatsQuery}). It is rebuildable from the log, so
 * its engine may keep it anywhere; no engine's query syntax appears outside the engine's own
 * package.
 */
public interface SearchIndex extends FeedConsumer, AutoCloseable {
  /** The name it follows the feed under. */
  String CONSUMER = "search-index";

  /**
   * The events matching {@code query} among those indexed so far, in the query's order, at most
   * {@code query.limit()}. Callers that need their own writes wait on the feed first.
   */
  List<StoredEvent> search(SearchQuery query);

  /**
   * As {@link #search(SearchQuery)}, but what must be searchable is only what the index was handed
   * up to feed position {@code through} (the caller waited on the feed for it): an engine that
   * makes handed events searchable in rounds need not wait for the events handed after it. The
   * default waits for everything handed.
   */
  default List<StoredEvent> search(SearchQuery query, long through) {
    return search(query);
  }

  /**
   * Counts of the indexed events of {@code query.tenant()} with {@code from <= occurred_at < to},
   * per bucket and group value, in no particular order; buckets and groups without events are
   * absent. MUST count only that tenant's events. Like {@link #search}, it covers what the index
   * has been handed so far: callers that need their own writes counted wait on the feed first.
   */
  List<StatsBucket> stats(StatsQuery query);

  /**
   * As {@link #stats(StatsQuery)}, with {@code through} as in {@link #search(SearchQuery, long)}.
   */
  default List<StatsBucket> stats(StatsQuery query, long through) {
    return stats(query);
  }

  /**
   * Removes {@code events} of {@code tenant} from the index, durably before returning: hot
   * retention deleted them from the event store (they are in the archive). An index that is handed
   * a page whose events the store no longer has MUST NOT fail the search for it either: another
   * node's retention job may have deleted them (see the engine). The default does nothing, for an
   * index that reads nothing back from the store.
   */
  default void forget(String tenant, List<StoredEvent> events) {}

  @Override
  default String name() {
    return CONSUMER;
  }

  @Override
  void close();
}
