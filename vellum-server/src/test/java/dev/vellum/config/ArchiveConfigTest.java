package dev.vellum.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
