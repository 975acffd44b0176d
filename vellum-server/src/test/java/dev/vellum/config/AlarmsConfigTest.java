package dev.vellum.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code alarms.*} settings. */
class AlarmsConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsSampleEveryTenSecondsWithNoOperatorTenants() {
    VellumConfig.Alarms a = ConfigLoader.load(null, Map.of()).alarms();
    assertEquals(Duration.ofSeconds(10), a.sampleInterval());
    assertEquals(Duration.ofSeconds(60), a.rateWindow());
    assertEquals(List.of(), a.operatorTenants());
  }

  @Test
  void operatorTenantsComeFromTheFileAsAListAndFromTheEnvironmentCommaSeparated() throws Exception {
    Path file = dir.resolve("vellum.yaml");
    Files.writeString(file, "alarms:\n  sample_interval: 2s\n  operator_tenants: [ops, default]\n");
    VellumConfig.Alarms fromFile = ConfigLoader.load(file, Map.of()).alarms();
    assertEquals(Duration.ofSeconds(2), fromFile.sampleInterval());
    assertEquals(List.of("ops", "default"), fromFile.operatorTenants());
    VellumConfig.Alarms fromEnv =
        ConfigLoader.load(file, Map.of("VELLUM_ALARMS_OPERATOR_TENANTS", " sre , ")).alarms();
    assertEquals(List.of("sre"), fromEnv.operatorTenants());
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheSetting() {
    String[][] table = {
      {"VELLUM_ALARMS_SAMPLE_INTERVAL", "10ms", "alarms.sample_interval"},
      {"VELLUM_ALARMS_SAMPLE_INTERVAL", "2h", "alarms.sample_interval"},
      {"VELLUM_ALARMS_RATE_WINDOW", "1s", "alarms.rate_window"},
      {"VELLUM_ALARMS_RATE_WINDOW", "30h", "alarms.rate_window"},
      {"VELLUM_ALARMS_OPERATOR_TENANTS", "Ops Team", "alarms.operator_tenants"},
    };
    for (String[] row : table) {
      ConfigException e =
          assertThrows(
              ConfigException.class, () -> ConfigLoader.load(null, Map.of(row[0], row[1])));
      assertTrue(e.getMessage().contains(row[2]), e.getMessage());
    }
  }
}
