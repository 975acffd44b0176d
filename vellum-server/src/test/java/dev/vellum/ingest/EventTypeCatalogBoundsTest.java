package dev.vellum.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteDirectoryStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalogue's memory does not grow with the names clients make up. */
class EventTypeCatalogBoundsTest {
  @TempDir Path dir;

  @Test
  void unknownTypeNamesAreNeverRemembered() {
    SqliteDatabase db = SqliteDatabase.open(dir);
    try {
      EventTypeCatalog catalog =
          new EventTypeCatalog(new SqliteDirectoryStore(db), new ObjectMapper());
      var unused = catalog.find("default", "LOGIN_FAILED").orElseThrow(); // loads the cache
      long before = catalog.cachedEntries();
      for (int i = 0; i < 50_000; i++) {
        assertTrue(catalog.find("default", "MADE_UP_" + i).isEmpty());
      }
      assertEquals(before, catalog.cachedEntries());
    } finally {
      db.close();
    }
  }

  @Test
  void tenantCachesAreBoundedWhateverTheNumberOfTenants() {
    SqliteDatabase db = SqliteDatabase.open(dir);
    try {
      EventTypeCatalog catalog =
          new EventTypeCatalog(new SqliteDirectoryStore(db), new ObjectMapper());
      for (int i = 0; i < EventTypeCatalog.MAX_CACHED_TENANTS + 2_000; i++) {
        catalog.find("tenant-" + i, "MADE_UP");
      }
      assertTrue(
          catalog.cachedEntries()
              <= EventTypeCatalog.MAX_CACHED_TENANTS
                  + EventTypeCatalog.MAX_CACHED_TENANT_TYPES
                  + 200,
          "" + catalog.cachedEntries());
    } finally {
      db.close();
    }
  }
}
