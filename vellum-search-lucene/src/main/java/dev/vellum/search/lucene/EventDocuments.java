package dev.vellum.search.lucene;

import dev.vellum.search.SearchDocument;
import dev.vellum.search.StatsQuery;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import java.io.IOException;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.util.BytesRef;
import org.jspecify.annotations.Nullable;

/**
 * One Lucene document per event, and the names of its fields. Nothing is stored: a result page
 * carries (occurred_at, seq) in its sort values, reads each hit's feed position from doc values,
 * and the events are read from the event store by position, so the index holds only what finding
 * needs.
 *
 * <ul>
 *   <li>{@code pos}: the feed position as a point, so that opening an index can delete what its
 *       last commit holds beyond the position it records (see {@link LuceneSearchIndex} for why
 *       that, and not a unique key per event, makes redelivery idempotent); and as doc values, the
 *       key a result page's events are read by;
 *   <li>{@code occurred_at}: point and doc values (range filters, index sort); {@code seq}: doc
 *       values (index sort, tie-break, checking what the store returns);
 *   <li>exact-match terms for every filter; {@code target} is type NUL id;
 *   <li>{@code text}: every string and number the client sent, through {@link WordAnalyzer},
 *       documents only (no frequencies, positions or norms: all queries are boolean);
 *   <li>{@code type}, {@code outcome}, {@code source}, {@code category}, {@code severity} also as
 *       sorted doc values, for counting ({@link LuceneStats}).
 * </ul>
 */
final class EventDocuments {
  static final String TENANT = "tenant";
  static final String POSITION = "pos";
  static final String OCCURRED_AT = "occurred_at";
  static final String SEQ = "seq";
  static final String TYPE = "type";
  static final String CATEGORY = "category";
  static final String SOURCE = "source";
  static final String OUTCOME = "outcome";
  static final String SEVERITY = "severity";
  static final String ACTOR_ID = "actor_id";
  static final String ACTOR_IP = "actor_ip";
  static final String SESSION_ID = "session_id";
  static final String TAG = "tag";
  static final String TARGET = "target";
  static final String TEXT = "text";

  private static final FieldType TEXT_TYPE = new FieldType();

  static {
    TEXT_TYPE.setIndexOptions(IndexOptions.DOCS);
    TEXT_TYPE.setTokenized(true);
    TEXT_TYPE.setOmitNorms(true);
    TEXT_TYPE.freeze();
  }

  static String target(String type, String id) {
    return type + '\u0000' + id;
  }

  Document of(FeedEvent f) {
    NewEvent e = f.event();
    SearchDocument sd;
    try {
      sd = SearchDocument.parse(e.body());
    } catch (IOException ex) {
      throw new IllegalArgumentException(
          "stored body of tenant "
              + e.tenant()
              + " seq "
              + e.seq()
              + " (position "
              + f.position()
              + ") is not JSON",
          ex);
    }
    Document d = new Document();
    keyword(d, TENANT, e.tenant());
    d.add(new LongPoint(POSITION, f.position()));
    d.add(new NumericDocValuesField(POSITION, f.position()));
    d.add(new LongPoint(OCCURRED_AT, e.occurredAtMicros()));
    d.add(new NumericDocValuesField(OCCURRED_AT, e.occurredAtMicros()));
    d.add(new NumericDocValuesField(SEQ, e.seq()));
    keyword(d, TYPE, e.type());
    keyword(d, CATEGORY, e.category());
    keyword(d, SOURCE, e.source());
    keyword(d, OUTCOME, e.outcome());
    keyword(d, SEVERITY, e.severity());
    keyword(d, ACTOR_ID, e.actorId());
    keyword(d, ACTOR_IP, e.actorIp());
    keyword(d, SESSION_ID, e.sessionId());
    for (String tag : sd.tags()) {
      keyword(d, TAG, tag);
    }
    for (String[] t : sd.targets()) {
      keyword(d, TARGET, target(t[0], t[1]));
    }
    d.add(new Field(TEXT, sd.text(), TEXT_TYPE));
    addStatsValues(d, e);
    return d;
  }

  // Stats: the members GET /v1/events/stats groups by, as sorted doc values under the same names
  // as their terms, read by LuceneStats. Only these: every doc-values field costs indexing time
  // and bytes per event.

  /** The field holding {@code group}'s value as sorted doc values. */
  static String statsField(StatsQuery.Group group) {
    return switch (group) {
      case TYPE -> TYPE;
      case OUTCOME -> OUTCOME;
      case SOURCE -> SOURCE;
      case CATEGORY -> CATEGORY;
      case SEVERITY -> SEVERITY;
    };
  }

  private static void addStatsValues(Document d, NewEvent e) {
    d.add(new SortedDocValuesField(TYPE, new BytesRef(e.type())));
    d.add(new SortedDocValuesField(OUTCOME, new BytesRef(e.outcome())));
    d.add(new SortedDocValuesField(SOURCE, new BytesRef(e.source())));
    d.add(new SortedDocValuesField(CATEGORY, new BytesRef(e.category())));
    d.add(new SortedDocValuesField(SEVERITY, new BytesRef(e.severity())));
  }

  private static void keyword(Document d, String field, @Nullable String value) {
    if (value != null) {
      d.add(new StringField(field, value, Field.Store.NO));
    }
  }
}
