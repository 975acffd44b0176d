package dev.vellum.bench.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The short (CI) run of {@code vellum bench crash}: three SIGKILL/restart cycles. */
class CrashHarnessTest {
  @TempDir Path tmp;

  @Test
  @Timeout(180)
  void threeCrashCycles_everyAcknowledgedEventStoredOnce_seqContiguous() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);

    CrashHarness.Report report =
        CrashHarness.run(
            new CrashHarness.Options(
                3,
                tmp.resolve("data"),
                3,
                10,
                Duration.ofMillis(400),
                Duration.ofMillis(1_200),
                42L,
                out));

    String printed = buf.toString(StandardCharsets.UTF_8);
    System.out.print(printed);
    assertTrue(report.ok(), () -> "violations: " + report.violations() + "\n" + printed);
    assertEquals(3, report.cycles().size());
    assertTrue(report.acknowledged() > 0, "no event was acknowledged before the kills");
    assertTrue(
        report.storedEvents() >= report.acknowledged(),
        () -> "stored " + report.storedEvents() + " < acknowledged " + report.acknowledged());
    assertTrue(printed.contains("cycle 3/3") && printed.contains("PASSED"), printed);
  }

  @Test
  void crashCommand_zeroCycles_isAUsageError() {
    int code = new CommandLine(new CrashCommand()).execute("--cycles", "0");

    assertEquals(2, code);
  }
}
