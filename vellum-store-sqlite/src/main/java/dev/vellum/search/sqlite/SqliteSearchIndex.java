package dev.vellum.search.sqlite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.search.SearchDocument;
import dev.vellum.search.SearchIndex;
import dev.vellum.search.SearchQuery;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.StoreException;
import dev.vellum.store.StoredEvent;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteErrors;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The search index on SQLite: FTS5 and key tables in a second file, search.db, attached to the
 * read connections of vellum.db as schema {@code ix}, so a query joins them with the events.
 *
 * <p>Why a second file and a consumer of the feed: each index whose keys land at random places
 * in a large B-tree (actor, type, IP, session, targets, tags, full-text terms) costs more per
 * event than the event row itself. Here they are written in large batches, sorted by key, into a
 * file with its own write lock and without fsync per commit, off the commit path. The index is
 * derived data: {@code index_state.last_pk} records the last feed position it covers, in the same
 * transaction as the index rows. After a crash or a deleted search.db the feed runner resumes
 * from the lower of that and its own durable position ({@link #resumeFrom}).
 */
public final class SqliteSearchIndex implements SearchIndex {
  private final SqliteDatabase db;
  private final Connection index;
  private final ObjectMapper json = new ObjectMapper();

  private SqliteSearchIndex(SqliteDatabase db, Connection index) {
    this.db = db;
    this.index = index;
  }

  public static SqliteSearchIndex open(SqliteDatabase db) {
    try {
      Connection index = SqliteDatabase.searchSource(db.searchFile()).getConnection();
      index.setAutoCommit(false);
      return new SqliteSearchIndex(db, index);
    } catch (SQLException e) {
      throw new StoreException("cannot open the search index: " + e.getMessage(), e, true);
    }
  }

  @Override
  public long resumeFrom(long storedPosition) {
    try (Statement s = index.createStatement();
        ResultSet rs = s.executeQuery("SELECT last_pk FROM index_state WHERE id = 1")) {
      rs.next();
      long covered = rs.getLong(1);
      index.commit();
      return Math.min(storedPosition, covered);
    } catch (SQLException e) {
      throw new StoreException("cannot read the search index position: " + e.getMessage(), e,
          true);
    }
  }

  /** Indexes the events and records the last position, in one transaction of search.db. */
  @Override
  public void accept(List<FeedEvent> events) {
    List<IndexRows.Row> rows = new ArrayList<>(events.size());
    for (FeedEvent f : events) {
      NewEvent e = f.event();
      rows.add(new IndexRows.Row(e.tenant(), f.position(), e.seq(), e.occurredAtMicros(),
          e.type(), e.actorId(), e.actorIp(), e.sessionId(), document(e)));
    }
    try {
      IndexRows.write(index, rows);
      try (PreparedStatement ps = index.prepareStatement(
          "UPDATE index_state SET last_pk = max(last_pk, ?) WHERE id = 1")) {
        ps.setLong(1, events.get(events.size() - 1).position());
        ps.executeUpdate();
      }
      index.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw SqliteErrors.wrap("indexing " + events.size() + " events", e);
    } catch (RuntimeException e) {
      rollbackQuietly();
      throw e;
    }
  }

  private SearchDocument document(NewEvent e) {
    try {
      JsonNode body = json.readTree(e.body());
      return SearchDocument.of(body);
    } catch (IOException ex) {
      throw new IllegalArgumentException("stored body of seq " + e.seq() + " is not JSON", ex);
    }
  }

  @Override
  public List<StoredEvent> search(SearchQuery query) {
    SqliteQuery q = SqliteQuery.of(query);
    try (Connection c = db.read(); PreparedStatement ps = c.prepareStatement(q.sql())) {
      q.bind(ps);
      List<StoredEvent> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new StoredEvent(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getBytes(4),
              rs.getString(5)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw SqliteErrors.wrap("searching", e);
    }
  }

  private void rollbackQuietly() {
    try {
      index.rollback();
    } catch (SQLException ignored) {
      // the batch is retried from the recorded position
    }
  }

  @Override
  public void close() {
    try {
      index.close();
    } catch (SQLException ignored) {
      // closing
    }
  }
}
