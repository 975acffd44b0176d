package dev.vellum.search.lucene;

import dev.vellum.store.FeedEvent;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteEventStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A child JVM for {@link SigkillIndexingTest}: follows the feed of an existing data dir into the
 * index as the runner would (batches of 200, one every 50 ms, no end), and keeps writing the
 * committed and the accepted position to a file, until it is killed.
 *
 * <p>Arguments: data dir, progress file.
 */
final class IndexingChild {
  private IndexingChild() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    Path progress = Path.of(args[1]);
    SqliteEventStore store = new SqliteEventStore(SqliteDatabase.open(dataDir));
    LuceneSearchIndex index = LuceneSearchIndex.open(dataDir.resolve("search-index"), store);
    long at = index.resumeFrom(Long.MAX_VALUE);
    while (true) {
      List<FeedEvent> batch = store.after(at, 200);
      if (!batch.isEmpty()) {
        index.accept(batch);
        at = batch.get(batch.size() - 1).position();
      }
      Files.writeString(progress, index.committedPosition() + " " + at + "\n");
      // slow enough that the run spans several one-second commits on any machine
      Thread.sleep(batch.isEmpty() ? 10 : 50);
    }
  }
}
