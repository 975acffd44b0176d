package dev.vellum.search.lucene;

import dev.vellum.search.SearchIndex;
import dev.vellum.search.SearchQuery;
import dev.vellum.search.StatsBucket;
import dev.vellum.search.StatsQuery;
import dev.vellum.store.EventStore;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.StoreException;
import dev.vellum.store.StoredEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ControlledRealTimeReopenThread;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopFieldCollectorManager;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The search index on Apache Lucene: one document per event, in a directory of its own, derived
 * from the committed-event feed and rebuildable from the log.
 *
 * <p><b>Visibility and durability are separate schedules.</b> {@link #accept} only hands the
 * documents to the {@link IndexWriter} and returns. A {@link ControlledRealTimeReopenThread} makes
 * them searchable within {@link #REFRESH} (sooner, within {@link #REFRESH_WHEN_WAITED}, when a
 * search is waiting for them: {@link #search} waits until everything accepted so far is visible,
 * which is what read-your-writes needs once the runner reports the tenant's position handled). A
 * commit every {@link #COMMIT} makes them durable and records, in the commit's user data, the feed
 * position {@code P} such that every event up to {@code P} is in the commit.
 *
 * <p><b>At-least-once, honestly.</b> {@code accept} therefore returns before its output is durable,
 * and the runner may store a position the index has not committed. {@link #resumeFrom} answers the
 * lower of the runner's position and the committed {@code P}, so after a crash everything not
 * committed is delivered again (FeedConsumer's contract for output that can be lost). Redelivery is
 * idempotent without a unique key per event (such a key was a term per document, the costliest
 * field to index): the feed delivers in position order, so {@code accept} skips every event at or
 * below the position it has already handed to the writer; and when a writer is opened on its last
 * commit, which may hold documents accepted after the position it records, those documents (by
 * their {@code pos} point) are deleted first, so the index holds exactly the positions up to the
 * recorded one and every later delivery is a plain {@code addDocument}.
 *
 * <p><b>Derived data.</b> A missing index, one that fails its checksums at start, one whose sort or
 * format no longer matches, or one that claims positions the log does not have, is deleted and
 * rebuilt from position 0 ({@link #rebuiltBecause}). If the writer fails while running (a full
 * disk), the next delivery reopens it from its last commit and re-indexes the events between that
 * commit and what it had accepted from the event store, so the runner's position stays true.
 *
 * <p>Results: the index stores no event; a page's (occurred_at, seq) come from the sort values, its
 * feed positions from doc values, and the events are read by position from the {@link EventStore}
 * (the row's own key: reading by seq went through a second B-tree first, and reading rows was a
 * quarter of a query node's CPU, docs/benchmarks.md round 8).
 */
public final class LuceneSearchIndex implements SearchIndex {
  private static final Logger LOG = LoggerFactory.getLogger(LuceneSearchIndex.class);
  static final Duration REFRESH = Duration.ofSeconds(1);
  static final Duration REFRESH_WHEN_WAITED = Duration.ofMillis(20);
  static final Duration COMMIT = Duration.ofSeconds(1);
  private static final String POSITION_KEY = "vellum.feed.position";

  /**
   * What the documents hold, recorded in every commit's user data; an index written with another
   * schema is rebuilt at open. 2: the stats fields as sorted doc values (an index without them
   * would count every event of its older segments under the empty group), and no per-event key term
   * (redelivery is made idempotent by position instead, see the class comment). 3: the feed
   * position also as doc values, by which result pages are read from the store.
   */
  private static final String SCHEMA_KEY = "vellum.index.schema";

  private static final String SCHEMA = "3";

  /**
   * The largest segment a merge writes. A merge reads every page of its input segments through the
   * memory map, and those pages count in the node's resident size until the inputs are closed: with
   * Lucene's default (5 GB) merges of ~360 MB at 10 M events took the node over 1 GiB during ingest
   * (docs/benchmarks.md, round 8). Smaller segments mean more of them per search: a dozen large
   * ones at 10 M events instead of three, which left searches as fast within the noise and made
   * 30-day stats about a third slower.
   */
  static final double MAX_MERGED_SEGMENT_MB = 128;

  private static final int VISIBILITY_WAIT_MS = 5_000;
  private static final int REPLAY_BATCH = 1_000;

  /**
   * Searchers without Lucene's query cache. Every search stops after its page in the index's order,
   * and caching a filter first evaluates it over the whole segment: building such bitsets over 10 M
   * documents took 7.6 % of a single client's search samples (JFR, docs/benchmarks.md round 6).
   */
  private static final SearcherFactory UNCACHED =
      new SearcherFactory() {
        @Override
        public IndexSearcher newSearcher(IndexReader reader, @Nullable IndexReader previous) {
          IndexSearcher searcher = new IndexSearcher(reader);
          searcher.setQueryCache(null);
          return searcher;
        }
      };

  /** One open writer with its searcher manager and refresh thread. */
  private static final class Engine {
    final IndexWriter writer;
    final SearcherManager searchers;
    final ControlledRealTimeReopenThread<IndexSearcher> refresher;
    final PendingVisibility visibility = new PendingVisibility();

    Engine(IndexWriter writer) throws IOException {
      this.writer = writer;
      this.searchers = new SearcherManager(writer, UNCACHED);
      this.refresher =
          new ControlledRealTimeReopenThread<>(
              writer,
              searchers,
              REFRESH.toMillis() / 1000.0,
              REFRESH_WHEN_WAITED.toMillis() / 1000.0);
      refresher.setName("vellum-search-refresh");
      refresher.setDaemon(true);
      refresher.start();
    }

    void close(boolean rollback) {
      refresher.close();
      try {
        searchers.close();
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing the searchers: {}", e.toString());
      }
      try {
        if (rollback) {
          writer.rollback();
        } else {
          writer.close();
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("closing the search index writer: {}", e.toString());
      }
    }
  }

  /** What opening found: the writer, holding exactly the positions up to {@code committed}. */
  private record Opened(Engine engine, long committed) {}

  private final Path path;
  private final Directory directory;
  private final EventStore store;
  private final WordAnalyzer analyzer = new WordAnalyzer();
  private final EventDocuments documents = new EventDocuments();
  private final ScheduledExecutorService committer;
  private final Object commitLock = new Object();
  private final @Nullable String rebuiltBecause;
  private final long committedAtOpen;
  private volatile Engine engine;

  /** Hourly counts per segment for stats; bounded to about 32 MiB of counters. */
  private final HourlyRollups rollups;

  /**
   * Every event up to here, and none beyond, has been handed to the current writer; deliveries at
   * or below it are skipped (the accept thread writes it, and recovery under the commit lock).
   */
  private volatile long acceptedPosition;

  private volatile long committedPosition;

  private LuceneSearchIndex(
      Path path, Directory directory, EventStore store, int rollupMinSegmentDocs)
      throws IOException {
    this.rollups = new HourlyRollups(rollupMinSegmentDocs, 32L << 20 >> 8);
    this.path = path;
    this.directory = directory;
    this.store = store;
    String reason = null;
    Opened opened;
    try {
      opened = openExisting();
      if (opened == null) {
        reason = "there is no index in " + path;
      } else if (opened.committed() > store.lastPosition()) {
        opened.engine().close(true);
        reason =
            "its committed feed position "
                + opened.committed()
                + " is beyond the log's last position "
                + store.lastPosition();
        opened = null;
      }
    } catch (LockObtainFailedException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      reason = "it cannot be read (" + e + ")";
      opened = null;
    }
    if (opened == null) {
      LOG.warn("rebuilding the search index from the start of the log: {}", reason);
      opened = create();
    }
    this.rebuiltBecause = reason;
    this.engine = opened.engine();
    this.committedAtOpen = opened.committed();
    this.committedPosition = opened.committed();
    this.acceptedPosition = opened.committed();
    this.committer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vellum-search-commit");
              t.setDaemon(true);
              return t;
            });
    var unused =
        committer.scheduleWithFixedDelay(
            this::commitQuietly, COMMIT.toMillis(), COMMIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Opens the index in {@code dir} (created 0700 if missing), or rebuilds it when it is missing or
   * unreadable; {@code store} is where result pages and replays are read from.
   *
   * @throws StoreException when the directory cannot be used at all (or another writer holds it)
   */
  public static LuceneSearchIndex open(Path dir, EventStore store) {
    return open(dir, store, ROLLUP_MIN_SEGMENT_DOCS);
  }

  /** Below this many documents a segment's stats are read event by event, not rolled up. */
  static final int ROLLUP_MIN_SEGMENT_DOCS = 20_000;

  static LuceneSearchIndex open(Path dir, EventStore store, int rollupMinSegmentDocs) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        try {
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system
        }
      }
      return new LuceneSearchIndex(
          dir, new OwnerOnlyDirectory(FSDirectory.open(dir)), store, rollupMinSegmentDocs);
    } catch (IOException e) {
      throw new StoreException("cannot open the search index in " + dir + ": " + e, e, true);
    }
  }

  /** What {@link #rebuild} did: events indexed, the feed position committed, events skipped. */
  public record Rebuilt(long events, long position, List<String> skipped) {}

  /** Told after each batch of a {@link #rebuild}. */
  @FunctionalInterface
  public interface Progress {
    void indexed(long events, long position, long lastPosition);
  }

  /**
   * Deletes the index in {@code dir} and indexes every event of {@code store} from position 0, by
   * the path a missing index takes: {@link #open} creates an empty index committed at 0, the log is
   * handed to {@link #accept} batch by batch as the feed would, and the last commit records the
   * position reached. An event whose stored body cannot be indexed is skipped and named in the
   * result (the server would dead-letter it), never skipped silently.
   *
   * <p>The caller MUST ensure that no server uses the data dir (the data-dir lock): the log must
   * not grow meanwhile. The index's own write lock is taken before anything is deleted, so an index
   * still open elsewhere is refused untouched.
   *
   * @throws StoreException when the directory cannot be used or the index is in use
   */
  public static Rebuilt rebuild(Path dir, EventStore store, Progress progress) {
    deleteIndex(dir);
    try (LuceneSearchIndex index = open(dir, store)) {
      long last = store.lastPosition();
      long at = 0;
      long events = 0;
      List<String> skipped = new ArrayList<>();
      for (List<FeedEvent> batch = store.after(at, REPLAY_BATCH);
          !batch.isEmpty();
          batch = store.after(at, REPLAY_BATCH)) {
        try {
          index.accept(batch);
          events += batch.size();
        } catch (IllegalArgumentException badBody) {
          for (FeedEvent f : batch) { // nothing of the batch was written: find the bad ones
            try {
              index.accept(List.of(f));
              events++;
            } catch (IllegalArgumentException e) {
              skipped.add(e.getMessage());
            }
          }
        }
        at = batch.get(batch.size() - 1).position();
        progress.indexed(events, at, last);
      }
      index.commit();
      return new Rebuilt(events, index.committedPosition(), List.copyOf(skipped));
    } catch (IOException e) {
      throw new StoreException("committing the rebuilt index in " + dir + " failed: " + e, e, true);
    }
  }

  /** Deletes every file of the index in {@code dir}, holding its write lock meanwhile. */
  private static void deleteIndex(Path dir) {
    if (!Files.isDirectory(dir)) {
      return; // open creates it, 0700
    }
    try (Directory d = FSDirectory.open(dir);
        Lock lock = d.obtainLock(IndexWriter.WRITE_LOCK_NAME);
        Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!f.getFileName().toString().equals(IndexWriter.WRITE_LOCK_NAME)) {
          lock.ensureValid();
          Files.deleteIfExists(f);
        }
      }
    } catch (LockObtainFailedException e) {
      throw new StoreException(
          "the search index in " + dir + " is in use (" + e.getMessage() + ")", e, false);
    } catch (IOException e) {
      throw new StoreException("cannot delete the search index in " + dir + ": " + e, e, true);
    }
  }

  /** Why the index was rebuilt from position 0 at open, if it was. */
  public Optional<String> rebuiltBecause() {
    return Optional.ofNullable(rebuiltBecause);
  }

  /** The feed position the last commit covers. */
  public long committedPosition() {
    return committedPosition;
  }

  /**
   * The existing index after checking every file's checksum, without the documents its last commit
   * holds beyond the position it records; or null if there is none.
   */
  private @Nullable Opened openExisting() throws IOException {
    if (!DirectoryReader.indexExists(directory)) {
      return null;
    }
    long committed;
    try (DirectoryReader reader = DirectoryReader.open(directory)) {
      String p = reader.getIndexCommit().getUserData().get(POSITION_KEY);
      if (p == null) {
        throw new IOException("the last commit records no feed position");
      }
      committed = Long.parseLong(p);
      String schema = reader.getIndexCommit().getUserData().get(SCHEMA_KEY);
      if (!SCHEMA.equals(schema)) {
        throw new IOException("its document schema is " + schema + ", not " + SCHEMA);
      }
      for (LeafReaderContext leaf : reader.leaves()) {
        leaf.reader().checkIntegrity();
      }
    }
    IndexWriter writer = new IndexWriter(directory, config(IndexWriterConfig.OpenMode.APPEND));
    try {
      writer.deleteDocuments(
          LongPoint.newRangeQuery(EventDocuments.POSITION, committed + 1, Long.MAX_VALUE));
    } catch (IOException | RuntimeException e) {
      writer.rollback();
      throw e;
    }
    return new Opened(new Engine(writer), committed);
  }

  /** A new, empty index (deleting whatever was in the directory), committed at position 0. */
  private Opened create() throws IOException {
    try (Stream<Path> files = Files.list(path)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!f.getFileName().toString().equals(IndexWriter.WRITE_LOCK_NAME)) {
          Files.deleteIfExists(f);
        }
      }
    }
    IndexWriter writer = new IndexWriter(directory, config(IndexWriterConfig.OpenMode.CREATE));
    writer.setLiveCommitData(commitData(0));
    writer.commit();
    return new Opened(new Engine(writer), 0);
  }

  private static Iterable<Map.Entry<String, String>> commitData(long position) {
    return Map.of(POSITION_KEY, Long.toString(position), SCHEMA_KEY, SCHEMA).entrySet();
  }

  private IndexWriterConfig config(IndexWriterConfig.OpenMode mode) {
    return new IndexWriterConfig(analyzer)
        .setOpenMode(mode)
        .setIndexSort(LuceneQueries.NEWEST_FIRST)
        .setRAMBufferSizeMB(32)
        .setMergePolicy(new TieredMergePolicy().setMaxMergedSegmentMB(MAX_MERGED_SEGMENT_MB))
        .setCommitOnClose(false);
  }

  /** The lower of the runner's position and what the last commit covers. */
  @Override
  public long resumeFrom(long storedPosition) {
    return Math.min(storedPosition, committedAtOpen);
  }

  /**
   * Hands the events to the writer and returns; they become searchable within the refresh interval
   * and durable at the next commit (see the class comment for why that is honest).
   */
  @Override
  public void accept(List<FeedEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    Engine e = engine;
    if (e.writer.getTragicException() != null || !e.writer.isOpen()) {
      e = recover(e.writer.getTragicException());
    }
    try {
      index(e, events);
    } catch (AlreadyClosedException ex) {
      throw new StoreException(
          "the search index writer failed: "
              + ex.getMessage()
              + "; it is reopened on the next attempt",
          ex,
          true);
    } catch (IOException ex) {
      throw new StoreException(
          "indexing "
              + events.size()
              + " events (positions "
              + events.get(0).position()
              + " to "
              + events.get(events.size() - 1).position()
              + ") in "
              + path
              + " failed: "
              + ex,
          ex,
          true);
    }
  }

  /** Adds the events above {@link #acceptedPosition}, which the feed delivers in order. */
  private void index(Engine e, List<FeedEvent> events) throws IOException {
    long from = acceptedPosition;
    List<Document> docs = new ArrayList<>(events.size());
    for (FeedEvent f : events) {
      if (f.position() > from) {
        docs.add(documents.of(f)); // parse first: a bad body fails before anything is written
      }
    }
    if (docs.isEmpty()) {
      return;
    }
    long generation = 0;
    for (Document d : docs) {
      generation = e.writer.addDocument(d);
    }
    acceptedPosition = events.get(events.size() - 1).position();
    e.visibility.handed(acceptedPosition, generation, e.refresher.getSearchingGen());
  }

  /**
   * Replaces a failed writer: reopens the last commit (or rebuilds a broken index) and re-indexes
   * from the event store what the old writer had accepted but not committed.
   */
  private Engine recover(Throwable cause) {
    synchronized (commitLock) {
      LOG.warn(
          "the search index writer in {} failed ({}); reopening it from its last commit",
          path,
          cause == null ? "closed" : cause.toString());
      engine.close(true);
      Opened opened;
      try {
        try {
          opened = openExisting();
        } catch (LockObtainFailedException ex) {
          throw ex;
        } catch (IOException | RuntimeException ex) {
          LOG.warn(
              "rebuilding the search index from the start of the log: it cannot be read" + " ({})",
              ex.toString());
          opened = null;
        }
        if (opened == null) {
          opened = create();
        }
        engine = opened.engine();
        committedPosition = opened.committed();
        long target = acceptedPosition;
        acceptedPosition = opened.committed();
        long at = opened.committed();
        try {
          while (at < target) {
            List<FeedEvent> batch = new ArrayList<>();
            for (FeedEvent f : store.after(at, REPLAY_BATCH)) {
              if (f.position() <= target) {
                batch.add(f);
              }
            }
            if (batch.isEmpty()) {
              break;
            }
            index(engine, batch);
            at = batch.get(batch.size() - 1).position();
          }
        } finally {
          // a replay that fails leaves the engine broken, and the next recovery must replay up to
          // the same target: the runner already counts those events as delivered
          acceptedPosition = Math.max(acceptedPosition, target);
        }
        LOG.info(
            "search index reopened at committed position {}; re-indexed up to {}",
            opened.committed(),
            at);
        return engine;
      } catch (IOException ex) {
        throw new StoreException(
            "reopening the search index in " + path + " failed: " + ex, ex, true);
      }
    }
  }

  private void commitQuietly() {
    try {
      commit();
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "committing the search index in {} failed (retried in {} ms): {}",
          path,
          COMMIT.toMillis(),
          e.toString());
    }
  }

  /** Makes everything accepted so far durable, with its feed position. */
  void commit() throws IOException {
    commitRecording(acceptedPosition);
  }

  /**
   * Commits everything handed to the writer, recording {@code position}. The scheduled commit
   * records what was accepted before it started, and events accepted while it runs may be in the
   * commit too (a test records a lower position to produce that case).
   */
  void commitRecording(long position) throws IOException {
    synchronized (commitLock) {
      Engine e = engine;
      if (position == committedPosition && !e.writer.hasUncommittedChanges()) {
        return;
      }
      e.writer.setLiveCommitData(commitData(position));
      e.writer.commit();
      committedPosition = position;
    }
  }

  /**
   * Deletes the events' documents (tenant, their occurred_at span and exactly their seqs, so the
   * deletion reads only that slice of the time-sorted index) and commits, so they do not come back
   * after a crash.
   */
  @Override
  public void forget(String tenant, List<StoredEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    try {
      deleteDocuments(tenant, events);
      commit();
    } catch (IOException | AlreadyClosedException ex) {
      throw new StoreException("forgetting deleted events in " + path + " failed: " + ex, ex, true);
    }
  }

  private void deleteDocuments(String tenant, List<StoredEvent> events) throws IOException {
    long minTime = Long.MAX_VALUE;
    long maxTime = Long.MIN_VALUE;
    long[] seqs = new long[events.size()];
    for (int i = 0; i < seqs.length; i++) {
      StoredEvent ev = events.get(i);
      minTime = Math.min(minTime, ev.occurredAtMicros());
      maxTime = Math.max(maxTime, ev.occurredAtMicros());
      seqs[i] = ev.seq();
    }
    engine.writer.deleteDocuments(
        new BooleanQuery.Builder()
            .add(new TermQuery(new Term(EventDocuments.TENANT, tenant)), BooleanClause.Occur.FILTER)
            .add(
                LongPoint.newRangeQuery(EventDocuments.OCCURRED_AT, minTime, maxTime),
                BooleanClause.Occur.FILTER)
            .add(
                NumericDocValuesField.newSlowSetQuery(EventDocuments.SEQ, seqs),
                BooleanClause.Occur.FILTER)
            .build());
  }

  @Override
  public List<StoredEvent> search(SearchQuery query) {
    return search(query, Long.MAX_VALUE);
  }

  @Override
  public List<StoredEvent> search(SearchQuery query, long through) {
    if (query.limit() <= 0) {
      return List.of();
    }
    for (int attempt = 0; ; attempt++) {
      List<StoredEvent> page = searchOnce(query, through, attempt < 3);
      if (page != null) {
        return page;
      }
    }
  }

  /**
   * One search; null when some hits were events the store no longer has because hot retention
   * deleted them (on another node, or before a crash undid this index's deletion): their documents
   * are deleted and the caller searches again, so the page is full. {@code heal} false (after a few
   * rounds) answers with the page short instead.
   */
  private @Nullable List<StoredEvent> searchOnce(SearchQuery query, long through, boolean heal) {
    List<Hit> hits = hits(query, through);
    Map<Long, StoredEvent> found =
        store.findByPositions(query.tenant(), hits.stream().map(Hit::position).toList());
    List<StoredEvent> out = new ArrayList<>(hits.size());
    List<Long> deleted = new ArrayList<>();
    long nextSeq = found.size() == hits.size() ? 0 : store.nextSeq(query.tenant());
    for (Hit hit : hits) {
      StoredEvent ev = found.get(hit.position());
      if (ev == null && hit.seq() < nextSeq) {
        // the store wrote it and hot retention deleted it: it is in the archive, not here
        deleted.add(hit.position());
        continue;
      }
      if (ev == null || ev.seq() != hit.seq() || ev.occurredAtMicros() != hit.occurredAt()) {
        throw new IllegalStateException(
            "the search index holds tenant "
                + query.tenant()
                + " seq "
                + hit.seq()
                + " at occurred_at "
                + hit.occurredAt()
                + " and position "
                + hit.position()
                + " but the event store "
                + (ev == null
                    ? "has no event there"
                    : "has seq " + ev.seq() + " at " + ev.occurredAtMicros() + " there"));
      }
      out.add(ev);
    }
    if (deleted.isEmpty() || !heal) {
      return out;
    }
    try {
      engine.writer.deleteDocuments(
          new BooleanQuery.Builder()
              .add(
                  new TermQuery(new Term(EventDocuments.TENANT, query.tenant())),
                  BooleanClause.Occur.FILTER)
              .add(
                  LongPoint.newSetQuery(EventDocuments.POSITION, deleted),
                  BooleanClause.Occur.FILTER)
              .build());
      engine.searchers.maybeRefreshBlocking();
    } catch (IOException | AlreadyClosedException ex) {
      throw new StoreException("forgetting deleted events in " + path + " failed: " + ex, ex, true);
    }
    return null;
  }

  /** One result of a search: the event's sort values and its feed position. */
  private record Hit(long occurredAt, long seq, long position) {}

  /** The page's hits in result order, once the index shows everything up to {@code through}. */
  private List<Hit> hits(SearchQuery query, long through) {
    Query q = LuceneQueries.of(query, analyzer);
    Engine e = engine;
    try {
      awaitVisible(e, through);
      IndexSearcher searcher = e.searchers.acquire();
      try {
        int n = query.limit();
        TopFieldDocs top =
            searcher.search(
                q,
                new TopFieldCollectorManager(
                    LuceneQueries.sort(query), n, LuceneQueries.after(query), n, false));
        PagePositions positions = new PagePositions(searcher.getIndexReader().leaves());
        List<Hit> hits = new ArrayList<>(top.scoreDocs.length);
        for (ScoreDoc hit : top.scoreDocs) {
          Object[] values = ((FieldDoc) hit).fields;
          hits.add(new Hit((Long) values[0], (Long) values[1], positions.of(hit.doc)));
        }
        return hits;
      } finally {
        e.searchers.release(searcher);
      }
    } catch (IOException | AlreadyClosedException ex) {
      throw new StoreException("searching the index in " + path + " failed: " + ex, ex, true);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for the search index", ex, true);
    }
  }

  /**
   * Reads the feed positions of one page's documents: one doc-values iterator per segment, replaced
   * only when a hit lies behind it. A newest-first page moves forwards through each segment (the
   * index is sorted newest first); an oldest-first one moves backwards and needs a fresh iterator
   * per hit, since an iterator only moves forwards.
   */
  private static final class PagePositions {
    private final List<LeafReaderContext> leaves;
    private final @Nullable NumericDocValues[] iterators;

    PagePositions(List<LeafReaderContext> leaves) {
      this.leaves = leaves;
      this.iterators = new NumericDocValues[leaves.size()];
    }

    long of(int doc) throws IOException {
      int i = ReaderUtil.subIndex(doc, leaves);
      LeafReaderContext leaf = leaves.get(i);
      int target = doc - leaf.docBase;
      NumericDocValues positions = iterators[i];
      if (positions == null || positions.docID() >= target) {
        positions = DocValues.getNumeric(leaf.reader(), EventDocuments.POSITION);
        iterators[i] = positions;
      }
      if (!positions.advanceExact(target)) {
        throw new IOException("document " + doc + " has no feed position");
      }
      return positions.longValue();
    }
  }

  /** Waits until what was handed up to {@code through} is visible to newly acquired searchers. */
  private static void awaitVisible(Engine e, long through) throws InterruptedException {
    long generation = e.visibility.generationFor(through);
    if (generation > 0 && !e.refresher.waitForGeneration(generation, VISIBILITY_WAIT_MS)) {
      throw new StoreException(
          "the search index did not make accepted events visible within "
              + VISIBILITY_WAIT_MS
              + " ms",
          null,
          true);
    }
  }

  /**
   * Counts through doc values only ({@link LuceneStats}), over the tenant and time range, after
   * making what was handed up to {@code through} visible, as {@link #search} does.
   */
  @Override
  public List<StatsBucket> stats(StatsQuery query) {
    return stats(query, Long.MAX_VALUE);
  }

  @Override
  public List<StatsBucket> stats(StatsQuery query, long through) {
    Engine e = engine;
    try {
      awaitVisible(e, through);
      IndexSearcher searcher = e.searchers.acquire();
      try {
        return LuceneStats.count(searcher, query, rollups);
      } finally {
        e.searchers.release(searcher);
      }
    } catch (IOException | AlreadyClosedException ex) {
      throw new StoreException("counting in the index in " + path + " failed: " + ex, ex, true);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for the search index", ex, true);
    }
  }

  /** Stops the schedules and commits what was accepted. */
  @Override
  public void close() {
    committer.shutdown();
    try {
      committer.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      commit();
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "the final commit of the search index in {} failed; the feed redelivers from"
              + " position {} at the next start: {}",
          path,
          committedPosition,
          e.toString());
    }
    engine.close(false);
    try {
      directory.close();
    } catch (IOException e) {
      LOG.debug("closing {}: {}", path, e.toString());
    }
  }
}
