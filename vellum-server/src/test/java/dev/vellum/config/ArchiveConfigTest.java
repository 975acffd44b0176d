package dev.vellum.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code archive.*} settings. */
class ArchiveConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsAreTheReferenceDesignsBufferInALocalDirectory() {
    VellumConfig.Archive a = ConfigLoader.load(null, Map.of()).archive();
    assertTrue(a.enabled());
    assertEquals(64L << 20, a.bufferBytes());
    assertEquals(Duration.ofSeconds(300), a.interval());
    assertFalse(a.isS3());
  }

  @Test
  void s3SettingsComeFromTheFileAndEnvironmentOverridesThem() throws Exception {
    Path file = dir.resolve("vellum.yaml");
    Files.writeString(
        file,
        "archive:\n"
            + "  store: s3\n"
            + "  interval: 60s\n"
            + "  s3:\n"
            + "    bucket: audit\n"
            + "    prefix: vellum/prod\n"
            + "    endpoint: http://minio:9000\n"
            + "    path_style: true\n");
    VellumConfig.Archive a =
        ConfigLoader.load(file, Map.of("VELLUM_ARCHIVE_BUFFER_BYTES", "1048576")).archive();
    assertTrue(a.isS3());
    assertEquals("audit", a.s3().bucket());
    assertEquals("vellum/prod", a.s3().prefix());
    assertEquals("http://minio:9000", a.s3().endpoint());
    assertTrue(a.s3().pathStyle());
    assertEquals(1 << 20, a.bufferBytes());
    assertEquals(Duration.ofSeconds(60), a.interval());
  }

  @Test
  void retentionIsSevenYearsByDefaultAndOverriddenPerTenant() throws Exception {
    VellumConfig.Archive d = ConfigLoader.load(null, Map.of()).archive();
    assertEquals(Duration.ofDays(2557), d.retention());
    assertTrue(d.tenantRetention().isEmpty());
    assertEquals(Duration.ofHours(1), d.retentionInterval());
    Path file = dir.resolve("vellum.yaml");
    Files.writeString(file, "archive:\n  tenant_retention: \"acme=3650d, beta=2190d\"\n");
    VellumConfig.Archive a =
        ConfigLoader.load(
                file,
                Map.of(
                    "VELLUM_ARCHIVE_RETENTION", "2200d",
                    "VELLUM_ARCHIVE_RETENTION_INTERVAL", "15m"))
            .archive();
    assertEquals(Duration.ofDays(2200), a.retention());
    assertEquals(
        Map.of("acme", Duration.ofDays(3650), "beta", Duration.ofDays(2190)), a.tenantRetention());
    assertEquals(Duration.ofMinutes(15), a.retentionInterval());
  }

  @Test
  void retentionShorterThanADayIsRefusedNamingTheSetting() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, Map.of("VELLUM_ARCHIVE_RETENTION", "12h")));
    assertTrue(e.getMessage().contains("archive.retention"), e.getMessage());
    ConfigException t =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, Map.of("VELLUM_ARCHIVE_TENANT_RETENTION", "acme")));
    assertTrue(t.getMessage().contains("archive.tenant_retention"), t.getMessage());
  }

  @Test
  void s3WithoutABucketIsRefusedNamingTheSetting() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, Map.of("VELLUM_ARCHIVE_STORE", "s3")));
    assertTrue(e.getMessage().contains("archive.s3.bucket"), e.getMessage());
  }

  @Test
  void aPrefixThatCouldLeaveTheBucketFolderIsRefused() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.load(
                    null,
                    Map.of(
                        "VELLUM_ARCHIVE_STORE", "s3",
                        "VELLUM_ARCHIVE_S3_BUCKET", "b",
                        "VELLUM_ARCHIVE_S3_PREFIX", "../x")));
    assertTrue(e.getMessage().contains("archive.s3.prefix"), e.getMessage());
  }

  @Test
  void hotRetentionIsThirtyDaysUnlessSetPerTenantInTheFileOrForAllInTheEnvironment()
      throws Exception {
    assertEquals(
        Duration.ofDays(30), ConfigLoader.load(null, Map.of()).archive().hotRetentionOf("acme"));
    Path file = dir.resolve("vellum.yaml");
    Files.writeString(file, "archive:\n  hot_retention_tenants:\n    - acme=90d\n    - beta=12h\n");
    VellumConfig.Archive a =
        ConfigLoader.load(file, Map.of("VELLUM_ARCHIVE_HOT_RETENTION", "7d")).archive();
    assertEquals(Duration.ofDays(90), a.hotRetentionOf("acme"));
    assertEquals(Duration.ofHours(12), a.hotRetentionOf("beta"));
    assertEquals(Duration.ofDays(7), a.hotRetentionOf("other"));
    VellumConfig.Archive env =
        ConfigLoader.load(null, Map.of("VELLUM_ARCHIVE_HOT_RETENTION_TENANTS", "acme=1d, beta=2d"))
            .archive();
    assertEquals(Duration.ofDays(2), env.hotRetentionOf("beta"));
  }

  @Test
  void aHotRetentionOutOfBoundsOrMalformedIsRefusedNamingTheSetting() {
    for (Map<String, String> bad :
        List.of(
            Map.of("VELLUM_ARCHIVE_HOT_RETENTION", "10m"),
            Map.of("VELLUM_ARCHIVE_HOT_RETENTION", "soon"),
            Map.of("VELLUM_ARCHIVE_HOT_RETENTION_TENANTS", "acme"),
            Map.of("VELLUM_ARCHIVE_HOT_RETENTION_TENANTS", "acme=0s"))) {
      ConfigException e =
          assertThrows(ConfigException.class, () -> ConfigLoader.load(null, bad), bad.toString());
      assertTrue(e.getMessage().contains("archive.hot_retention"), e.getMessage());
    }
  }

  @Test
  void restoreBoundsComeFromTheFileAndEnvironmentAndAreCheckedNamingTheSetting() throws Exception {
    VellumConfig.Restore d = ConfigLoader.load(null, Map.of()).archive().restore();
    assertEquals(Duration.ofDays(31), d.maxRange());
    assertEquals(100_000, d.maxEvents());
    assertEquals(Duration.ofDays(7), d.hold());
    assertEquals(Duration.ofDays(90), d.maxHold());
    Path file = dir.resolve("vellum.yaml");
    Files.writeString(
        file, "archive:\n  restore:\n    max_range: 2d\n    max_events: 500\n    hold: 1d\n");
    VellumConfig.Restore r =
        ConfigLoader.load(file, Map.of("VELLUM_ARCHIVE_RESTORE_MAX_HOLD", "3d"))
            .archive()
            .restore();
    assertEquals(Duration.ofDays(2), r.maxRange());
    assertEquals(500, r.maxEvents());
    assertEquals(Duration.ofDays(1), r.hold());
    assertEquals(Duration.ofDays(3), r.maxHold());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(file, Map.of("VELLUM_ARCHIVE_RESTORE_MAX_HOLD", "12h")));
    assertTrue(e.getMessage().contains("archive.restore.hold"), e.getMessage());
    e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, Map.of("VELLUM_ARCHIVE_RESTORE_MAX_EVENTS", "0")));
    assertTrue(e.getMessage().contains("archive.restore.max_events"), e.getMessage());
  }
}
