package dev.vellum.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code notify:} section: safe defaults, the YAML file and {@code VELLUM_NOTIFY_*}. */
class NotifyConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsAreSafe() {
    VellumConfig.Notify n = ConfigLoader.load(null, Map.of()).notifications();
    assertEquals(Duration.ofHours(24), n.retryFor());
    assertTrue(n.allow().isEmpty(), "no internal address is reachable by default");
    assertNull(n.smtp().host(), "no e-mail until an SMTP server is configured");
    assertEquals("starttls", n.smtp().security());
  }

  @Test
  void fileSetsTheSectionAndEnvironmentOverridesIt() throws Exception {
    Path file = dir.resolve("vellum.yaml");
    Files.writeString(
        file,
        "notify:\n"
            + "  retry_for: 6h\n"
            + "  first_backoff: 2s\n"
            + "  allow: [10.0.0.0/8, hooks.internal]\n"
            + "  smtp:\n"
            + "    host: smtp.example.org\n"
            + "    port: 465\n"
            + "    security: tls\n"
            + "    username: alerts\n"
            + "    password_file: /run/secrets/smtp\n"
            + "    from: alerts@example.org\n");
    VellumConfig.Notify n =
        ConfigLoader.load(
                file,
                Map.of("VELLUM_NOTIFY_WORKERS", "8", "VELLUM_NOTIFY_ALLOW", "127.0.0.1/32, ::1"))
            .notifications();
    assertEquals(Duration.ofHours(6), n.retryFor());
    assertEquals(Duration.ofSeconds(2), n.firstBackoff());
    assertEquals(8, n.workers());
    assertEquals(List.of("127.0.0.1/32", "::1"), n.allow());
    assertEquals("smtp.example.org", n.smtp().host());
    assertEquals(465, n.smtp().port());
    assertEquals("tls", n.smtp().security());
    assertEquals(Path.of("/run/secrets/smtp"), n.smtp().passwordFile());
    assertFalse(n.smtp().toString().contains("secret"));
  }

  @Test
  void badValuesAreRefusedNamingTheSetting() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, Map.of("VELLUM_NOTIFY_SMTP_SECURITY", "ssl3")));
    assertTrue(e.getMessage().contains("notify.smtp.security"), e.getMessage());
    e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, Map.of("VELLUM_NOTIFY_RETRY_FOR", "90d")));
    assertTrue(e.getMessage().contains("notify.retry_for"), e.getMessage());
    e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, Map.of("VELLUM_NOTIFY_MAX_PER_CHANNEL", "100")));
    assertTrue(e.getMessage().contains("notify.max_per_channel"), e.getMessage());
  }
}
