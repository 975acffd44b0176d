package dev.vellum.store.sqlite;

import dev.vellum.store.RecordStore;
import dev.vellum.store.jdbc.JdbcRecordStore;

/** The {@link RecordStore} in the same SQLite file as the events. */
public final class SqliteRecordStore {
  private SqliteRecordStore() {}

  public static RecordStore open(SqliteDatabase db) {
    return new JdbcRecordStore(db::read, SqliteErrors::wrap);
  }
}
