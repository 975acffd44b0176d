package dev.vellum.store.postgres;

import dev.vellum.store.StoreException;
import java.sql.SQLException;
import java.sql.SQLTransientException;

/** Turns PostgreSQL failures into {@link StoreException}, marking the ones worth retrying. */
final class PostgresErrors {
  private PostgresErrors() {}

  static StoreException wrap(String doing, SQLException e) {
    return new StoreException(doing + " failed: " + e.getMessage(), e, isTransient(e));
  }

  /**
   * Connection loss (08), a deadlock or serialization failure (40), too few resources such as a
   * full disk (53), an operator or crash shutdown (57), an I/O error (58), a lock not available
   * (55P03), or the pool's own timeout: retrying later may succeed.
   */
  static boolean isTransient(SQLException e) {
    if (e instanceof SQLTransientException) {
      return true;
    }
    String state = e.getSQLState();
    if (state == null) {
      return e.getCause() instanceof java.io.IOException;
    }
    return state.startsWith("08")
        || state.startsWith("40")
        || state.startsWith("53")
        || state.startsWith("57")
        || state.startsWith("58")
        || state.equals("55P03");
  }
}
