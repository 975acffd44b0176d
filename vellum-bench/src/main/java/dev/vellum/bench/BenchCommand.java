package dev.vellum.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code vellum bench}: load generators that measure a running Vellum node over HTTP, with storage
 * baselines measured in the same run, the crash harness, and the JMH micro-benchmarks. See
 * docs/benchmarks.md for the commands and the numbers they produced.
 *
 * <p>This is the main class of {@code vellum-bench/target/vellum-bench.jar}; {@code bin/vellum
 * bench …} runs that jar, never the production one.
 */
@Command(
    name = "vellum bench",
    mixinStandardHelpOptions = true,
    description =
        "Measure a Vellum node: ingest, query and proof load over HTTP, the search index alone, storage"
            + " baselines, crash cycles, JMH micro-benchmarks.",
    subcommands = {
      IngestCommand.class,
      QueryCommand.class,
      IndexCommand.class,
      RulesCommand.class,
      ProofCommand.class,
      SoakCommand.class,
      AnalyticsCommand.class,
      ArchiveCommand.class,
      dev.vellum.bench.crash.CrashCommand.class,
      JmhCommand.class
    })
public final class BenchCommand implements Runnable {

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchCommand()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
