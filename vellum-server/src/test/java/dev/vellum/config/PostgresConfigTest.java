package dev.vellum.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code store} and {@code postgres.*} settings. */
class PostgresConfigTest {
  @TempDir Path dir;

  @Test
  void sqliteIsTheDefaultEngine() {
    VellumConfig c = ConfigLoader.load(null, Map.of());
    assertEquals("sqlite", c.storage().engine());
    assertFalse(c.storage().isPostgres());
  }

  @Test
  void postgresSettingsComeFromTheFileAndEnvironmentOverridesThem() throws Exception {
    Path file = dir.resolve("vellum.yaml");
    Files.writeString(
        file,
        "store: postgres\n"
            + "postgres:\n"
            + "  url: jdbc:postgresql://db:5432/audit\n"
            + "  user: vellum\n"
            + "  password_file: /run/secrets/pg\n"
            + "  schema: vellum\n"
            + "  pool_size: 8\n");
    VellumConfig c = ConfigLoader.load(file, Map.of("VELLUM_POSTGRES_POOL_SIZE", "12"));
    assertTrue(c.storage().isPostgres());
    VellumConfig.Postgres pg = c.storage().postgres();
    assertEquals("jdbc:postgresql://db:5432/audit", pg.url());
    assertEquals("vellum", pg.user());
    assertEquals(Path.of("/run/secrets/pg"), pg.passwordFile());
    assertEquals("vellum", pg.schema());
    assertEquals(12, pg.poolSize());
  }

  @Test
  void postgresWithoutAUrlIsRefusedNamingTheSetting() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, Map.of("VELLUM_STORE", "postgres")));
    assertTrue(e.getMessage().startsWith("setting postgres.url"), e.getMessage());
  }

  @Test
  void anUnknownEngineIsRefused() {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> ConfigLoader.load(null, Map.of("VELLUM_STORE", "mysql")));
    assertTrue(e.getMessage().contains("must be sqlite or postgres"), e.getMessage());
  }

  @Test
  void aPasswordAndAPasswordFileTogetherAreRefusedAndThePasswordIsNeverShown() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.load(
                    null,
                    Map.of(
                        "VELLUM_STORE", "postgres",
                        "VELLUM_POSTGRES_URL", "jdbc:postgresql://db/audit",
                        "VELLUM_POSTGRES_PASSWORD", "hunter2-secret",
                        "VELLUM_POSTGRES_PASSWORD_FILE", "/run/secrets/pg")));
    assertTrue(e.getMessage().contains("must not both be set"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  @Test
  void theConfigNeverPrintsThePassword() {
    VellumConfig c =
        ConfigLoader.load(
            null,
            Map.of(
                "VELLUM_STORE", "postgres",
                "VELLUM_POSTGRES_URL", "jdbc:postgresql://db/audit",
                "VELLUM_POSTGRES_PASSWORD", "hunter2-secret"));
    assertFalse(c.toString().contains("hunter2"), c.toString());
  }
}
