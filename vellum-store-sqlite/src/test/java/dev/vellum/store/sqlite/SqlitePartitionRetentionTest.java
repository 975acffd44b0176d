package dev.vellum.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite keeps events in one table: it offers no partition retention (rows are deleted instead).
 */
class SqlitePartitionRetentionTest {
  @TempDir Path dir;

  @Test
  void declaresPartitionRetentionUnsupported() {
    try (SqliteEventStore store = new SqliteEventStore(SqliteDatabase.open(dir))) {
      assertTrue(store.partitionRetention().isEmpty());
    }
  }
}
