package dev.vellum.store.sqlite;

import dev.vellum.store.EventStore;
import dev.vellum.store.EventStoreContract;
import java.nio.file.Path;

/** The SQLite engine against the engine contract. */
class SqliteEventStoreContractTest extends EventStoreContract {
  @Override
  protected EventStore open(Path dir) {
    return new SqliteEventStore(SqliteDatabase.open(dir));
  }
}
