package dev.vellum.store.sqlite;

import dev.vellum.store.StoreException;
import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Turns SQLite failures into {@link StoreException}, marking the ones worth retrying. */
final class SqliteErrors {
  private SqliteErrors() {}

  static StoreException wrap(String doing, SQLException e) {
    return new StoreException(doing + " failed: " + e.getMessage(), e, isTransient(e));
  }

  private static boolean isTransient(SQLException e) {
    if (e instanceof SQLiteException se) {
      SQLiteErrorCode code = se.getResultCode();
      String name = code == null ? "" : code.name();
      return name.startsWith("SQLITE_FULL")
          || name.startsWith("SQLITE_BUSY")
          || name.startsWith("SQLITE_LOCKED")
          || name.startsWith("SQLITE_IOERR")
          || name.startsWith("SQLITE_READONLY")
          || name.startsWith("SQLITE_CANTOPEN");
    }
    return false;
  }
}
