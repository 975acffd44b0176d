package dev.vellum.store.postgres;

import dev.vellum.store.EventStore;
import dev.vellum.store.EventStoreContract;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;

/**
 * The PostgreSQL engine against the engine contract, on the real server: each test gets a schema of
 * its own (the contract's directory stands for it, so reopening finds the same data).
 */
class PostgresEventStoreContractTest extends EventStoreContract {
  private static final TestSchemas SCHEMAS = new TestSchemas();
  private static final Map<Path, String> SCHEMA_OF_DIR = new ConcurrentHashMap<>();

  @Override
  protected EventStore open(Path dir) {
    String schema = SCHEMA_OF_DIR.computeIfAbsent(dir, d -> SCHEMAS.newSchema());
    return new PostgresEventStore(PostgresDatabase.open(TestSchemas.settings(schema, 8)));
  }

  @AfterAll
  static void dropSchemas() throws Exception {
    SCHEMAS.dropAll();
  }
}
