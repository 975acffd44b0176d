package dev.vellum.store.sqlite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.store.NewEvent;
import dev.vellum.store.SearchDocument;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the search index (search.db) from committed events, off the commit path.
 *
 * <p>Why a second file and a second thread: each index whose keys land at random places in a
 * large B-tree (actor, type, IP, session, targets, tags, full-text terms) costs more per event
 * than the event row itself. Here they are written in large batches, sorted by key, into a file
 * with its own write lock and without fsync per commit, so the sequencer's durable commits stay
 * small. The index is derived data: {@code index_state.last_pk} records the last event it
 * covers, in the same transaction as the index rows, and after a crash the indexer continues
 * from there.
 *
 * <p>The writer hands each committed batch over in memory ({@link #committed}), so the indexer
 * need not read the events back and parse their bodies again. Only a bounded number of rows wait
 * in memory; when the indexer falls further behind (or after a restart) it reads the missing
 * events from vellum.db instead.
 */
final class SearchIndexer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SearchIndexer.class);
  private static final int BATCH = 5_000;
  /** About 2.5 KiB of heap per waiting event (body and search document): at most ~75 MiB. */
  static final int MAX_WAITING_ROWS = 30_000;

  /** Events committed in one transaction, pks {@code firstPk} onwards, not yet indexed. */
  private record Committed(long firstPk, List<NewEvent> events) {
    long lastPk() {
      return firstPk + events.size() - 1;
    }
  }

  private record Row(String tenant, long pk, long seq, long occurredAt, String type,
      String actorId, String actorIp, String sessionId, SearchDocument doc) {}

  private final SqliteDatabase db;
  private final Connection index;
  private final ObjectMapper json = new ObjectMapper();
  private final Object signal = new Object();
  private final ConcurrentLinkedDeque<Committed> waiting = new ConcurrentLinkedDeque<>();
  private final AtomicInteger waitingRows = new AtomicInteger();
  private final Thread thread;
  private final int maxWaitingRows;
  private volatile long lastPk;
  private volatile long committedPk;
  private volatile boolean running = true;
  private boolean woken;

  private SearchIndexer(SqliteDatabase db, Connection index, long lastPk, int maxWaitingRows) {
    this.db = db;
    this.maxWaitingRows = maxWaitingRows;
    this.index = index;
    this.lastPk = lastPk;
    this.thread = new Thread(this::run, "vellum-search-indexer");
    this.thread.setDaemon(true);
  }

  static SearchIndexer start(SqliteDatabase db, int maxWaitingRows) {
    try {
      Connection index = SqliteDatabase.searchSource(db.searchFile()).getConnection();
      index.setAutoCommit(false);
      long last;
      try (Statement s = index.createStatement();
          ResultSet rs = s.executeQuery("SELECT last_pk FROM index_state WHERE id = 1")) {
        rs.next();
        last = rs.getLong(1);
      }
      index.commit();
      SearchIndexer indexer = new SearchIndexer(db, index, last, maxWaitingRows);
      indexer.committedPk = indexer.maxEventPk();
      indexer.thread.start();
      return indexer;
    } catch (SQLException e) {
      throw SqliteErrors.wrap("opening the search index", e);
    }
  }

  /**
   * Called by the writer after each durable commit, with the events in pk order. When too many
   * are waiting already, the batch is dropped here and read back from vellum.db later.
   */
  void committed(long firstPk, List<NewEvent> events) {
    committedPk = firstPk + events.size() - 1;
    if (waitingRows.addAndGet(events.size()) <= maxWaitingRows) {
      waiting.addLast(new Committed(firstPk, events));
    } else {
      waitingRows.addAndGet(-events.size());
    }
    wake();
  }

  private void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  /** Committed events the search index does not cover yet. */
  long lag() {
    return Math.max(0, committedPk - lastPk);
  }

  /** Waits until every event committed before this call is indexed, at most {@code timeout}. */
  void awaitCaughtUp(Duration timeout) {
    long target = maxEventPk();
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (signal) {
      while (lastPk < target && running) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("search index is {} events behind; answering from what is indexed",
              target - lastPk);
          return;
        }
        woken = true;
        signal.notifyAll();
        try {
          signal.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private long maxEventPk() {
    try (Connection c = db.read(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(max(pk), 0) FROM events")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw SqliteErrors.wrap("reading the last event position", e);
    }
  }

  private void run() {
    while (running) {
      try {
        synchronized (signal) {
          if (!woken) {
            signal.wait(250);
          }
          woken = false;
        }
        while (running && indexNextBatch() > 0) {
          synchronized (signal) {
            signal.notifyAll();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | SQLException e) {
        LOG.error("search indexing failed at event pk {}; retrying", lastPk, e);
        rollbackQuietly();
        sleepQuietly();
      }
    }
  }

  /** Indexes the next events after {@code lastPk}; returns how many. */
  private int indexNextBatch() throws SQLException {
    List<Row> rows = takeWaiting(lastPk);
    if (rows.isEmpty()) {
      Committed next = waiting.peekFirst();
      rows = readAfter(lastPk, next == null ? Long.MAX_VALUE : next.firstPk());
    }
    if (rows.isEmpty()) {
      return 0;
    }
    write(rows);
    long newLast = rows.get(rows.size() - 1).pk();
    try (PreparedStatement ps = index.prepareStatement(
        "UPDATE index_state SET last_pk = ? WHERE id = 1")) {
      ps.setLong(1, newLast);
      ps.executeUpdate();
    }
    index.commit();
    lastPk = newLast;
    return rows.size();
  }

  /**
   * The waiting events that follow {@code after} without a gap, up to about a batch; waiting
   * events the index already covers are discarded on the way.
   */
  private List<Row> takeWaiting(long after) {
    List<Row> rows = new ArrayList<>();
    long expected = after + 1;
    Committed c;
    while (rows.size() < BATCH && (c = waiting.peekFirst()) != null) {
      if (c.lastPk() < expected) {
        drop(c);
        continue;
      }
      if (c.firstPk() > expected) {
        break; // a gap: those events were dropped, read them from the file first
      }
      for (int i = (int) (expected - c.firstPk()); i < c.events().size(); i++) {
        rows.add(row(c.firstPk() + i, c.events().get(i)));
      }
      expected = c.lastPk() + 1;
      drop(c);
    }
    return rows;
  }

  private void drop(Committed c) {
    waiting.pollFirst();
    waitingRows.addAndGet(-c.events().size());
  }

  private Row row(long pk, NewEvent e) {
    SearchDocument doc = e.search() != null ? e.search() : document(e.body());
    return new Row(e.tenant(), pk, e.seq(), e.occurredAtMicros(), e.type(), e.actorId(),
        e.actorIp(), e.sessionId(), doc);
  }

  /** Stored events with {@code after < pk < before}, at most a batch, in pk order. */
  private List<Row> readAfter(long after, long before) throws SQLException {
    String sql = "SELECT pk, tenant, seq, occurred_at, type, actor_id, actor_ip, session_id, body"
        + " FROM events WHERE pk > ? AND pk < ? ORDER BY pk LIMIT " + BATCH;
    List<Row> rows = new ArrayList<>();
    try (Connection c = db.read(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, after);
      ps.setLong(2, before);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Row(rs.getString(2), rs.getLong(1), rs.getLong(3), rs.getLong(4),
              rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
              document(rs.getString(9))));
        }
      }
    }
    return rows;
  }

  private SearchDocument document(String body) {
    try {
      JsonNode node = json.readTree(body);
      return SearchDocument.of(node);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("stored event body is not JSON", e);
    }
  }

  /** Inserts each index's rows sorted by its key, which keeps B-tree writes local. */
  private void write(List<Row> rows) throws SQLException {
    insertSorted(rows, "ix_actor", Row::actorId);
    insertSorted(rows, "ix_type", Row::type);
    insertSorted(rows, "ix_actor_ip", Row::actorIp);
    insertSorted(rows, "ix_session", Row::sessionId);
    List<Object[]> targets = new ArrayList<>();
    List<Object[]> tags = new ArrayList<>();
    for (Row r : rows) {
      for (String[] t : r.doc().targets()) {
        targets.add(new Object[] {r, t[0], t[1]});
      }
      for (String t : r.doc().tags()) {
        tags.add(new Object[] {r, t});
      }
    }
    targets.sort(Comparator.comparing((Object[] t) -> (String) t[1])
        .thenComparing(t -> (String) t[2]));
    try (PreparedStatement ps = index.prepareStatement("INSERT OR IGNORE INTO ix_target"
        + " (tenant, target_type, target_id, occurred_at, seq, pk) VALUES (?,?,?,?,?,?)")) {
      for (Object[] t : targets) {
        Row r = (Row) t[0];
        ps.setString(1, r.tenant());
        ps.setString(2, (String) t[1]);
        ps.setString(3, (String) t[2]);
        bindPosition(ps, 4, r);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    tags.sort(Comparator.comparing((Object[] t) -> (String) t[1]));
    try (PreparedStatement ps = index.prepareStatement("INSERT OR IGNORE INTO ix_tag"
        + " (tenant, tag, occurred_at, seq, pk) VALUES (?,?,?,?,?)")) {
      for (Object[] t : tags) {
        Row r = (Row) t[0];
        ps.setString(1, r.tenant());
        ps.setString(2, (String) t[1]);
        bindPosition(ps, 3, r);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps = index.prepareStatement(
        "INSERT INTO ix_fts (rowid, text) VALUES (?,?)")) {
      for (Row r : rows) {
        ps.setLong(1, r.pk());
        ps.setString(2, r.doc().text());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private void insertSorted(List<Row> rows, String table,
      java.util.function.Function<Row, String> key) throws SQLException {
    List<Row> sorted = new ArrayList<>();
    for (Row r : rows) {
      if (key.apply(r) != null) {
        sorted.add(r);
      }
    }
    sorted.sort(Comparator.comparing(key).thenComparing(Row::tenant));
    String column = switch (table) {
      case "ix_actor" -> "actor_id";
      case "ix_type" -> "type";
      case "ix_actor_ip" -> "actor_ip";
      default -> "session_id";
    };
    try (PreparedStatement ps = index.prepareStatement("INSERT OR IGNORE INTO " + table
        + " (tenant, " + column + ", occurred_at, seq, pk) VALUES (?,?,?,?,?)")) {
      for (Row r : sorted) {
        ps.setString(1, r.tenant());
        ps.setString(2, key.apply(r));
        bindPosition(ps, 3, r);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void bindPosition(PreparedStatement ps, int first, Row r) throws SQLException {
    ps.setLong(first, r.occurredAt());
    ps.setLong(first + 1, r.seq());
    ps.setLong(first + 2, r.pk());
  }

  private void rollbackQuietly() {
    try {
      index.rollback();
    } catch (SQLException ignored) {
      // retried from the recorded position
    }
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the thread; whatever is not indexed yet is picked up at the next start. */
  @Override
  public void close() {
    running = false;
    wake();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      index.close();
    } catch (SQLException ignored) {
      // closing
    }
  }
}
