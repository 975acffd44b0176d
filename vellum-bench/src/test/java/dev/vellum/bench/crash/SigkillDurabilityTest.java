package dev.vellum.bench.crash;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2's crash test: the server runs as a separate JVM, clients ingest continuously, the server
 * is SIGKILLed mid-stream and restarted on the same data dir; then every acknowledged event is
 * present exactly once (with its acknowledged seq) and seq has no gaps.
 */
class SigkillDurabilityTest {
  @TempDir Path tmp;

  @Test
  @Timeout(120)
  void acknowledgedEventsSurviveSigkill() throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    CrashHarness.Report report =
        CrashHarness.run(
            new CrashHarness.Options(
                1,
                tmp.resolve("data"),
                4,
                25,
                Duration.ofMillis(900),
                Duration.ofMillis(1_500),
                7L,
                out));

    assertTrue(report.acknowledged() > 0, "the kill came before any acknowledgement");
    assertTrue(report.ok(), () -> "violations: " + report.violations());
  }
}
