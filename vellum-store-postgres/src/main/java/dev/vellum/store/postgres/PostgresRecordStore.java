package dev.vellum.store.postgres;

import dev.vellum.store.RecordStore;
import dev.vellum.store.jdbc.JdbcRecordStore;

/** The {@link RecordStore} in the same PostgreSQL schema as the events, shared by every node. */
public final class PostgresRecordStore {
  private PostgresRecordStore() {}

  public static RecordStore open(PostgresDatabase db) {
    return new JdbcRecordStore(db::connection, PostgresErrors::wrap);
  }
}
