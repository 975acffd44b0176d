package dev.vellum.search.lucene;

import static dev.vellum.search.lucene.EventDocuments.ACTOR_ID;
import static dev.vellum.search.lucene.EventDocuments.ACTOR_IP;
import static dev.vellum.search.lucene.EventDocuments.CATEGORY;
import static dev.vellum.search.lucene.EventDocuments.OCCURRED_AT;
import static dev.vellum.search.lucene.EventDocuments.OUTCOME;
import static dev.vellum.search.lucene.EventDocuments.SEQ;
import static dev.vellum.search.lucene.EventDocuments.SESSION_ID;
import static dev.vellum.search.lucene.EventDocuments.SEVERITY;
import static dev.vellum.search.lucene.EventDocuments.SOURCE;
import static dev.vellum.search.lucene.EventDocuments.TAG;
import static dev.vellum.search.lucene.EventDocuments.TARGET;
import static dev.vellum.search.lucene.EventDocuments.TEXT;
import static dev.vellum.search.lucene.EventDocuments.TYPE;

import dev.vellum.search.SearchQuery;
import dev.vellum.search.StatsQuery;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexOrDocValuesQuery;
import org.apache.lucene.search.IndexSortSortedNumericDocValuesRangeQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import org.jspecify.annotations.Nullable;

/**
 * Translates a {@link SearchQuery} into a Lucene query, sort and keyset position. Every clause is a
 * filter (no scoring); the tenant clause is always present, so no query form can reach another
 * tenant's events. Descending order is the index sort, so a newest-first page stops after {@code
 * limit} hits.
 */
final class LuceneQueries {
  static final Sort NEWEST_FIRST =
      new Sort(
          new SortField(OCCURRED_AT, SortField.Type.LONG, true),
          new SortField(SEQ, SortField.Type.LONG, true));
  static final Sort OLDEST_FIRST =
      new Sort(
          new SortField(OCCURRED_AT, SortField.Type.LONG), new SortField(SEQ, SortField.Type.LONG));

  private LuceneQueries() {}

  static Query of(SearchQuery q, WordAnalyzer analyzer) {
    if (q.tenant() == null) {
      throw new IllegalArgumentException("a search needs its tenant");
    }
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    b.add(new TenantQuery(q.tenant()), Occur.FILTER);
    if (q.fromMicros() != null || q.toMicros() != null) {
      long from = q.fromMicros() == null ? Long.MIN_VALUE : q.fromMicros();
      if (q.toMicros() != null && q.toMicros() == Long.MIN_VALUE) {
        return new MatchNoDocsQuery("empty time range");
      }
      long to = q.toMicros() == null ? Long.MAX_VALUE : q.toMicros() - 1; // to is exclusive
      b.add(timeRange(from, to), Occur.FILTER);
    }
    if (q.types() != null && !q.types().isEmpty()) {
      if (q.types().size() == 1) {
        term(b, TYPE, q.types().get(0));
      } else {
        List<BytesRef> types = new ArrayList<>();
        for (String t : q.types()) {
          types.add(new BytesRef(t));
        }
        b.add(new TermInSetQuery(TYPE, types), Occur.FILTER);
      }
    }
    term(b, CATEGORY, q.category());
    term(b, SOURCE, q.source());
    term(b, ACTOR_ID, q.actorId());
    term(b, ACTOR_IP, q.actorIp());
    term(b, OUTCOME, q.outcome());
    term(b, SEVERITY, q.severity());
    term(b, SESSION_ID, q.sessionId());
    term(b, TAG, q.tag());
    if (q.targetType() != null || q.targetId() != null) {
      if (q.targetType() == null || q.targetId() == null) {
        return new MatchNoDocsQuery("target type and id go together");
      }
      term(b, TARGET, EventDocuments.target(q.targetType(), q.targetId()));
    }
    if (q.fullText() != null) {
      addText(b, q.fullText(), analyzer);
    }
    return b.build();
  }

  /**
   * The events a {@link StatsQuery} counts: the tenant's, with {@code from <= occurred_at < to}.
   * The tenant clause is always present, as in every search.
   */
  static Query of(StatsQuery q) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    b.add(new TenantQuery(q.tenant()), Occur.FILTER);
    long from = q.fromMicros();
    long to = q.toMicros() - 1; // the constructor ensures from < to
    b.add(timeRange(from, to), Occur.FILTER);
    return b.build();
  }

  /**
   * {@code from <= occurred_at <= to}. The index is sorted by {@code occurred_at} first, so in each
   * segment the range is one run of doc ids, found by binary search over the doc values instead of
   * walking the points tree; a segment where that does not hold falls back to points or doc values,
   * whichever is cheaper for the other clauses.
   */
  static Query timeRange(long from, long to) {
    return new IndexSortSortedNumericDocValuesRangeQuery(
        OCCURRED_AT,
        from,
        to,
        new IndexOrDocValuesQuery(
            LongPoint.newRangeQuery(OCCURRED_AT, from, to),
            NumericDocValuesField.newSlowRangeQuery(OCCURRED_AT, from, to)));
  }

  /** Every word must occur; with {@code lastIsPrefix} the last term matches as a prefix. */
  private static void addText(
      BooleanQuery.Builder b, SearchQuery.FullText text, WordAnalyzer analyzer) {
    List<String> words = text.words();
    for (int w = 0; w < words.size(); w++) {
      List<String> terms = analyzer.terms(TEXT, words.get(w));
      for (int t = 0; t < terms.size(); t++) {
        boolean prefix = text.lastIsPrefix() && w == words.size() - 1 && t == terms.size() - 1;
        Term term = new Term(TEXT, terms.get(t));
        b.add(prefix ? new PrefixQuery(term) : new TermQuery(term), Occur.FILTER);
      }
    }
  }

  private static void term(BooleanQuery.Builder b, String field, @Nullable String value) {
    if (value != null) {
      b.add(new TermQuery(new Term(field, value)), Occur.FILTER);
    }
  }

  static Sort sort(SearchQuery q) {
    return q.ascending() ? OLDEST_FIRST : NEWEST_FIRST;
  }

  /**
   * The keyset position as a "search after" bound. (occurred_at, seq) is unique within a tenant, so
   * the doc id tie-break never decides; {@code Integer.MAX_VALUE} makes a document with exactly the
   * bound's values count as already returned.
   */
  static @Nullable FieldDoc after(SearchQuery q) {
    if (q.after() == null) {
      return null;
    }
    return new FieldDoc(
        Integer.MAX_VALUE, Float.NaN, new Object[] {q.after().occurredAtMicros(), q.after().seq()});
  }
}
