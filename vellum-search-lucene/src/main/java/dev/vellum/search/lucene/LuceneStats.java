package dev.vellum.search.lucene;

import dev.vellum.search.StatsBucket;
import dev.vellum.search.StatsQuery;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.BulkScorer;
import org.apache.lucene.search.Collector;
import org.apache.lucene.search.CollectorManager;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Weight;

/**
 * Counts matching documents per time bucket and group value, reading only doc values: {@code
 * occurred_at} (numeric) and the group's sorted doc values ({@link EventDocuments#statsField}). No
 * stored field and no event is read.
 *
 * <p>Within a segment, counts are kept per segment ordinal for the current bucket only, in an array
 * of the segment's value count, and folded into the result (one ordinal-to-string lookup per bucket
 * and value) when the bucket changes. That is correct in any document order, and cheap in the
 * index's order: the index is sorted by {@code occurred_at} descending, so a segment's matches
 * arrive bucket by bucket and each (bucket, value) is folded once per segment.
 */
final class LuceneStats implements Collector {
  private final long from;
  private final long width;
  private final String field;

  /** Bucket index → group value → count. */
  private final Map<Long, Map<String, Long>> counts = new HashMap<>();

  private LuceneStats(StatsQuery q) {
    this.from = q.fromMicros();
    this.width = q.bucketMicros();
    this.field = EventDocuments.statsField(q.groupBy());
  }

  /**
   * Counts {@code q}: from the segments' hourly rollups for whole hours when the buckets are whole
   * hours (the API rounds {@code from} down to a multiple of the interval), reading only the
   * partial last hour and small segments event by event; otherwise every event in the range.
   */
  static List<StatsBucket> count(IndexSearcher searcher, StatsQuery q, HourlyRollups rollups)
      throws IOException {
    long hour = HourlyRollups.HOUR_MICROS;
    long wholeHoursEnd = Math.floorDiv(q.toMicros(), hour) * hour;
    boolean hourly =
        q.bucketMicros() % hour == 0
            && Math.floorMod(q.fromMicros(), hour) == 0
            && wholeHoursEnd > q.fromMicros();
    if (!hourly) {
      return searcher.search(LuceneQueries.of(q), manager(q));
    }
    LuceneStats stats = new LuceneStats(q);
    Weight whole = weight(searcher, q);
    Weight partialHour =
        wholeHoursEnd < q.toMicros()
            ? weight(
                searcher,
                new StatsQuery(
                    q.tenant(), wholeHoursEnd, q.toMicros(), q.bucketMicros(), q.groupBy()))
            : null;
    for (LeafReaderContext segment : searcher.getIndexReader().leaves()) {
      HourlyRollups.Rollup rollup = rollups.of(searcher, segment, q.tenant(), stats.field);
      if (rollup == null) {
        stats.scan(whole, segment);
        continue;
      }
      stats.add(rollup, segment, q.fromMicros() / hour, wholeHoursEnd / hour);
      if (partialHour != null) {
        stats.scan(partialHour, segment);
      }
    }
    return manager(q).reduce(List.of(stats));
  }

  private static Weight weight(IndexSearcher searcher, StatsQuery q) throws IOException {
    return searcher.createWeight(
        searcher.rewrite(LuceneQueries.of(q)), ScoreMode.COMPLETE_NO_SCORES, 1);
  }

  /** Counts the segment's events that {@code weight} matches, one by one. */
  private void scan(Weight weight, LeafReaderContext segment) throws IOException {
    BulkScorer scorer = weight.bulkScorer(segment);
    if (scorer == null) {
      return;
    }
    LeafCollector collector = getLeafCollector(segment);
    scorer.score(collector, segment.reader().getLiveDocs(), 0, DocIdSetIterator.NO_MORE_DOCS);
    collector.finish();
  }

  /**
   * Adds the rollup's hours in [fromHour, toHour): sums them per bucket and slot first, then folds
   * each bucket into the result by name. Folding every hour by name (a hash-map update per hour and
   * value) was two thirds of a 30-day stats query's time over a dozen large segments
   * (docs/benchmarks.md round 8).
   */
  private void add(
      HourlyRollups.Rollup rollup, LeafReaderContext segment, long fromHour, long toHour)
      throws IOException {
    SortedDocValues values = DocValues.getSorted(segment.reader(), field);
    String[] names = new String[rollup.slots()];
    long[] sums = new long[rollup.slots()];
    long bucket = Long.MIN_VALUE;
    // hours in order, and buckets are whole hours: each bucket's hours come in one run
    for (Map.Entry<Long, int[]> h : rollup.hours().subMap(fromHour, toHour).entrySet()) {
      long b = Math.floorDiv(h.getKey() * HourlyRollups.HOUR_MICROS - from, width);
      if (b != bucket) {
        fold(bucket, sums, values, names);
        bucket = b;
      }
      int[] perSlot = h.getValue();
      for (int slot = 0; slot < perSlot.length; slot++) {
        sums[slot] += perSlot[slot];
      }
    }
    fold(bucket, sums, values, names);
  }

  /** Adds one bucket's sums by value name, resolving each name once per segment; clears them. */
  private void fold(long bucket, long[] sums, SortedDocValues values, String[] names)
      throws IOException {
    for (int slot = 0; slot < sums.length; slot++) {
      if (sums[slot] == 0) {
        continue;
      }
      String name = names[slot];
      if (name == null) {
        name = slot == 0 ? "" : values.lookupOrd(slot - 1).utf8ToString();
        names[slot] = name;
      }
      counts.computeIfAbsent(bucket, k -> new HashMap<>()).merge(name, sums[slot], Long::sum);
      sums[slot] = 0;
    }
  }

  /** One collector per searcher slice; the result merges them. */
  static CollectorManager<LuceneStats, List<StatsBucket>> manager(StatsQuery q) {
    return new CollectorManager<>() {
      @Override
      public LuceneStats newCollector() {
        return new LuceneStats(q);
      }

      @Override
      public List<StatsBucket> reduce(Collection<LuceneStats> collectors) {
        Map<Long, Map<String, Long>> all = new HashMap<>();
        for (LuceneStats c : collectors) {
          c.counts.forEach(
              (b, groups) -> {
                Map<String, Long> into = all.computeIfAbsent(b, k -> new HashMap<>());
                groups.forEach((g, n) -> into.merge(g, n, Long::sum));
              });
        }
        List<StatsBucket> out = new ArrayList<>();
        all.forEach(
            (b, groups) ->
                groups.forEach(
                    (g, n) ->
                        out.add(new StatsBucket(q.fromMicros() + b * q.bucketMicros(), g, n))));
        return out;
      }
    };
  }

  @Override
  public ScoreMode scoreMode() {
    return ScoreMode.COMPLETE_NO_SCORES;
  }

  @Override
  public LeafCollector getLeafCollector(LeafReaderContext context) throws IOException {
    NumericDocValues times = DocValues.getNumeric(context.reader(), EventDocuments.OCCURRED_AT);
    SortedDocValues groups = DocValues.getSorted(context.reader(), field);
    int slots = groups.getValueCount() + 1; // slot 0: no value; slot o + 1: ordinal o
    int[] perSlot = new int[slots];
    int[] touched = new int[slots];
    return new LeafCollector() {
      private long bucket = -1;
      private int touchedCount;

      @Override
      public void setScorer(Scorable scorer) {}

      @Override
      public void collect(int doc) throws IOException {
        if (!times.advanceExact(doc)) {
          throw new IllegalStateException(
              "document "
                  + (context.docBase + doc)
                  + " of the search index has no "
                  + EventDocuments.OCCURRED_AT
                  + " value");
        }
        long b = Math.floorDiv(times.longValue() - from, width); // t >= from: the query's range
        if (b != bucket) {
          fold();
          bucket = b;
        }
        int slot = groups.advanceExact(doc) ? groups.ordValue() + 1 : 0;
        if (perSlot[slot]++ == 0) {
          touched[touchedCount++] = slot;
        }
      }

      @Override
      public void finish() throws IOException {
        fold();
      }

      private void fold() throws IOException {
        if (touchedCount == 0) {
          return;
        }
        Map<String, Long> into = counts.computeIfAbsent(bucket, k -> new HashMap<>());
        for (int i = 0; i < touchedCount; i++) {
          int slot = touched[i];
          String group = slot == 0 ? "" : groups.lookupOrd(slot - 1).utf8ToString();
          into.merge(group, (long) perSlot[slot], Long::sum);
          perSlot[slot] = 0;
        }
        touchedCount = 0;
      }
    };
  }
}
