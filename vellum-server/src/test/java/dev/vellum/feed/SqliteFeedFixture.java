package dev.vellum.feed;

import dev.vellum.store.DeadLetter;
import dev.vellum.store.EventStore;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.WriteBatch;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteEventStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * A real SQLite event store with its feed, for tests of what follows the feed: commits events and
 * hands them to the feed, and writes consumers' positions and dead letters straight into the store,
 * as the sequencer would.
 */
public final class SqliteFeedFixture implements AutoCloseable {
  public final EventStore store;
  public final Feed feed;
  public final FeedWrites writes = new StoreWrites();
  private long nextSeq;

  public SqliteFeedFixture(Path dir) {
    store = new SqliteEventStore(SqliteDatabase.open(dir));
    feed = new Feed(store, e -> true);
  }

  private final class StoreWrites implements FeedWrites {
    @Override
    public CompletableFuture<Void> savePosition(String consumer, long position) {
      store.append(
          new WriteBatch(List.of(), List.of(), List.of(), Map.of(consumer, position), List.of()));
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> deadLetter(DeadLetter letter) {
      store.append(new WriteBatch(List.of(), List.of(), List.of(), Map.of(), List.of(letter)));
      return CompletableFuture.completedFuture(null);
    }
  }

  /** Commits {@code count} logins of tenant t1 and publishes them; answers them as the feed has. */
  public List<FeedEvent> commit(int count) {
    List<NewEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long seq = nextSeq++;
      String id = UUID.randomUUID().toString();
      events.add(
          new NewEvent(
              "t1",
              seq,
              id,
              seq,
              seq,
              "USER_LOGIN",
              "authentication",
              "APP",
              "success",
              "info",
              "actor",
              null,
              null,
              new byte[32],
              "{\"seq\":" + seq + "}"));
    }
    long first = store.append(WriteBatch.ofEvents(events, List.of()));
    List<FeedEvent> out = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      out.add(new FeedEvent(first + i, events.get(i)));
    }
    feed.published(out);
    return out;
  }

  @Override
  public void close() {
    store.close();
  }
}
