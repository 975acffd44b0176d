package dev.vellum.store.sqlite;

import dev.vellum.store.RecordStoreContract;
import java.nio.file.Path;

/** The SQLite engine's records against the record contract. */
class SqliteRecordStoreContractTest extends RecordStoreContract {
  @Override
  protected Opened open(Path dir) {
    SqliteDatabase db = SqliteDatabase.open(dir);
    return new Opened(SqliteRecordStore.open(db), db::close);
  }
}
