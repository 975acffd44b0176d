package dev.vellum.viewer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's chromium driven by Playwright for Java, offline: no browser download, the system
 * executable. On CI ({@code CI=true}) a missing browser is a failure ({@code .ci/run} installs it);
 * elsewhere the browser tests are skipped with a message.
 */
final class Chromium {
  static final Path EXECUTABLE =
      Path.of(System.getenv().getOrDefault("VELLUM_CHROMIUM", "/usr/bin/chromium"));
  static final List<String> ARGS =
      List.of(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          "--disable-quic");

  private Chromium() {}

  static Playwright playwright() {
    if (!Files.isExecutable(EXECUTABLE)) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(
            "no chromium at "
                + EXECUTABLE
                + ": .ci/run installs Debian's chromium; run it or apt-get install chromium");
      }
      assumeTrue(false, "no chromium at " + EXECUTABLE + "; apt-get install chromium to run");
    }
    return Playwright.create(
        new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
  }

  static Browser launch(Playwright pw) {
    return pw.chromium()
        .launch(
            new BrowserType.LaunchOptions()
                .setExecutablePath(EXECUTABLE)
                .setArgs(ARGS)
                .setHeadless(true));
  }
}
