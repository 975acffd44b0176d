package dev.vellum.store.postgres;

import dev.vellum.store.RecordStoreContract;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;

/** The PostgreSQL engine's records against the record contract, in a fresh schema per test. */
class PostgresRecordStoreContractTest extends RecordStoreContract {
  private static final TestSchemas SCHEMAS = new TestSchemas();
  private static final Map<Path, String> SCHEMA_OF_DIR = new ConcurrentHashMap<>();

  @Override
  protected Opened open(Path dir) {
    String schema = SCHEMA_OF_DIR.computeIfAbsent(dir, d -> SCHEMAS.newSchema());
    PostgresDatabase db = PostgresDatabase.open(TestSchemas.settings(schema, 8));
    return new Opened(PostgresRecordStore.open(db), db::close);
  }

  @AfterAll
  static void dropSchemas() throws Exception {
    SCHEMAS.dropAll();
  }
}
