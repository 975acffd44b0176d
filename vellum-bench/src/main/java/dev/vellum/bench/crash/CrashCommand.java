package dev.vellum.bench.crash;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vellum bench crash}: SIGKILLs a child server again and again while clients ingest, and
 * checks after each restart that every acknowledged event survived exactly once with a contiguous
 * {@code seq}. Exit code 0 when nothing was violated, 1 otherwise.
 */
@Command(
    name = "crash",
    mixinStandardHelpOptions = true,
    description =
        "Crash harness: ingest, SIGKILL the server at random moments, restart, check"
            + " that every acknowledged event is stored exactly once and seq has no gaps.")
public final class CrashCommand implements Callable<Integer> {
  static final int EXIT_OK = 0;
  static final int EXIT_VIOLATION = 1;

  @Option(
      names = "--cycles",
      defaultValue = "20",
      description = "kill/restart cycles" + " (default ${DEFAULT-VALUE})")
  int cycles;

  @Option(
      names = "--data-dir",
      description = "data dir for the child server (default: a new" + " temporary directory)")
  @Nullable Path dataDir;

  @Option(
      names = "--clients",
      defaultValue = "4",
      description = "concurrent ingest clients" + " (default ${DEFAULT-VALUE})")
  int clients;

  @Option(
      names = "--batch",
      defaultValue = "10",
      description = "events per request" + " (default ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--min-run-ms",
      defaultValue = "300",
      description = "earliest kill after" + " ingest starts, ms (default ${DEFAULT-VALUE})")
  long minRunMillis;

  @Option(
      names = "--max-run-ms",
      defaultValue = "2000",
      description = "latest kill after" + " ingest starts, ms (default ${DEFAULT-VALUE})")
  long maxRunMillis;

  @Option(names = "--seed", description = "random seed for the kill moments (default: random)")
  @Nullable Long seed;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Path dir = dataDir != null ? dataDir : Files.createTempDirectory("vellum-crash-");
    CrashHarness.Report report;
    try {
      report =
          CrashHarness.run(
              new CrashHarness.Options(
                  cycles,
                  dir,
                  clients,
                  batch,
                  Duration.ofMillis(minRunMillis),
                  Duration.ofMillis(maxRunMillis),
                  seed != null ? seed : System.nanoTime(),
                  System.out));
    } catch (IllegalArgumentException e) {
      System.err.println("vellum bench crash: " + e.getMessage());
      return 2;
    } catch (IllegalStateException e) {
      System.err.println("vellum bench crash: " + e.getMessage());
      return EXIT_VIOLATION;
    }
    return report.ok() ? EXIT_OK : EXIT_VIOLATION;
  }
}
