package dev.vellum.bench;

import dev.vellum.search.SearchIndex;
import dev.vellum.search.SearchQuery;
import dev.vellum.search.StatsBucket;
import dev.vellum.search.StatsQuery;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.StoredEvent;
import java.util.List;

/**
 * The control arm of an ingest measurement ({@code --search-control discard}): it follows the feed
 * under the search index's name and drops every event, so that the same command measures what the
 * node costs without the search engine's work. Only the bench's in-process node uses it; a node
 * started this way finds nothing, and the report says so.
 */
final class DiscardingSearchIndex implements SearchIndex {
  private final SearchIndex engine;

  /** {@code engine}: the node's real index, closed with this one but never handed events. */
  DiscardingSearchIndex(SearchIndex engine) {
    this.engine = engine;
  }

  @Override
  public void accept(List<FeedEvent> events) {
    // dropped on purpose: this arm measures the node without the search engine
  }

  @Override
  public long resumeFrom(long storedPosition) {
    return storedPosition;
  }

  @Override
  public List<StoredEvent> search(SearchQuery query) {
    return List.of();
  }

  @Override
  public List<StatsBucket> stats(StatsQuery query) {
    return List.of();
  }

  @Override
  public void close() {
    engine.close();
  }
}
