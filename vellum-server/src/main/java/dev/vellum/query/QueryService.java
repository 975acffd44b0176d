package dev.vellum.query;

import dev.vellum.feed.ConsumerRunner;
import dev.vellum.feed.Feed;
import dev.vellum.ingest.Times;
import dev.vellum.search.SearchIndex;
import dev.vellum.search.SearchQuery;
import dev.vellum.search.StatsBucket;
import dev.vellum.search.StatsQuery;
import dev.vellum.store.EventStore;
import dev.vellum.store.StoredEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** Searches, single-event reads and time-bucketed counts over one tenant's events. */
public final class QueryService {
  /**
   * A page of results and the cursor for the next page (null on the last page). {@code behindBy} is
   * 0 when the index covered every event of the tenant committed before the search, else how many
   * committed feed positions it had not reached when the bounded wait ended: the page may then miss
   * the newest events, and the answer says so.
   */
  public record Page(
      List<StoredEvent> events,
      @Nullable String nextCursor,
      long behindBy,
      @Nullable Long archivedBefore) {
    public Page(List<StoredEvent> events, @Nullable String nextCursor, long behindBy) {
      this(events, nextCursor, behindBy, null);
    }

    /**
     * The page as the JSON text of {@code {"events":[…],"next_cursor":…}}, plus {@code
     * "archived_before"} when the search's time range reaches into archived time.
     */
    public String toJson() {
      StringBuilder sb = new StringBuilder(events.size() * 1100 + 64).append("{\"events\":[");
      for (int i = 0; i < events.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(EventJson.render(events.get(i)));
      }
      sb.append("],\"next_cursor\":");
      sb.append(nextCursor == null ? "null" : "\"" + nextCursor + "\"");
      if (archivedBefore != null) {
        sb.append(",\"archived_before\":\"").append(Times.formatMicros(archivedBefore)).append('"');
      }
      return sb.append('}').toString();
    }
  }

  /** Counts for one bucket: total and per group value. */
  public record Bucket(String start, long total, Map<String, Long> counts) {}

  /**
   * Every bucket of a stats query; {@code behindBy} as in {@link Page}: when it is not 0, the
   * newest events of the tenant may not be counted yet.
   */
  public record Stats(List<Bucket> buckets, long behindBy, @Nullable Long archivedBefore) {}

  /** An event by id, and the archive file it was read from (null: the hot store). */
  public record Found(StoredEvent event, @Nullable String archiveKey) {}

  public static final long MAX_BUCKETS = 10_000;

  /**
   * The longest a search waits for the index to cover its tenant's last committed event; an index
   * that stays behind longer (a sustained flood of the same tenant) gets a page marked as behind
   * rather than a slower or failed search.
   */
  static final java.time.Duration READ_YOUR_WRITES_WAIT = java.time.Duration.ofSeconds(2);

  private final EventStore store;
  private final SearchIndex index;
  private final Feed feed;
  private final ConsumerRunner indexRunner;
  private final Timer queryTimer;
  private final ArchiveReader archive;

  public QueryService(
      EventStore store,
      SearchIndex index,
      Feed feed,
      ConsumerRunner indexRunner,
      MeterRegistry metrics,
      ArchiveReader archive) {
    this.archive = archive;
    this.store = store;
    this.index = index;
    this.feed = feed;
    this.indexRunner = indexRunner;
    this.queryTimer =
        Timer.builder("vellum.query")
            .publishPercentileHistogram()
            .description("time to run one event query")
            .register(metrics);
  }

  /**
   * Searches once the index covers every event of the tenant committed before the call, so a client
   * finds what it was just told is stored; other tenants' writes are not waited for. After {@link
   * #READ_YOUR_WRITES_WAIT} it answers from the index as it is, with {@link Page#behindBy} set.
   */
  public Page search(SearchQuery filter) {
    long through = feed.lastPosition(filter.tenant());
    long behindBy = awaitIndexed(through);
    List<StoredEvent> events = queryTimer.record(() -> index.search(filter, through));
    String next = null;
    if (events.size() == filter.limit()) {
      StoredEvent last = events.get(events.size() - 1);
      next =
          Cursor.encode(
              new SearchQuery.Position(last.occurredAtMicros(), last.seq()), filter.ascending());
    }
    return new Page(events, next, behindBy, archivedBefore(filter.tenant(), filter.fromMicros()));
  }

  /**
   * The tenant's archived-time boundary when a range starting at {@code fromMicros} (null: the
   * beginning) reaches below it, else null.
   */
  private @Nullable Long archivedBefore(String tenant, @Nullable Long fromMicros) {
    OptionalLong before = archive.archivedBefore(tenant);
    if (before.isPresent() && (fromMicros == null || fromMicros < before.getAsLong())) {
      return before.getAsLong();
    }
    return null;
  }

  /**
   * Waits for the index to be handed the tenant's last write ({@code target}, read from the feed
   * before the wait); returns how far behind it stayed.
   */
  private long awaitIndexed(long target) {
    try {
      if (indexRunner.awaitHandled(target, READ_YOUR_WRITES_WAIT)) {
        return 0;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Math.max(1, target - indexRunner.handledPosition());
  }

  /** The event from the hot store, or else from the archive (an event hot retention deleted). */
  public Optional<StoredEvent> byId(String tenant, String id) {
    return find(tenant, id).map(Found::event);
  }

  public Optional<Found> find(String tenant, String id) {
    Optional<StoredEvent> hot = store.findById(tenant, id);
    if (hot.isPresent()) {
      return Optional.of(new Found(hot.get(), null));
    }
    return archive.find(tenant, id).map(a -> new Found(a.event(), a.key()));
  }

  /**
   * Every bucket from {@code from} up to {@code to}, including empty ones, counted by the search
   * index once it covers the tenant's last committed event (the same bounded wait as {@link
   * #search}).
   */
  public Stats stats(StatsQuery query) {
    long through = feed.lastPosition(query.tenant());
    long behindBy = awaitIndexed(through);
    List<StatsBucket> rows = index.stats(query, through);
    TreeMap<Long, Map<String, Long>> byStart = new TreeMap<>();
    for (long b = query.fromMicros(); b < query.toMicros(); b += query.bucketMicros()) {
      byStart.put(b, new TreeMap<>());
    }
    for (StatsBucket r : rows) {
      byStart
          .computeIfAbsent(r.bucketStartMicros(), k -> new TreeMap<>())
          .merge(r.group(), r.count(), Long::sum);
    }
    List<Bucket> buckets =
        byStart.entrySet().stream()
            .map(
                e ->
                    new Bucket(
                        Times.formatMicros(e.getKey()),
                        e.getValue().values().stream().mapToLong(Long::longValue).sum(),
                        e.getValue()))
            .toList();
    return new Stats(buckets, behindBy, archivedBefore(query.tenant(), query.fromMicros()));
  }
}
