package dev.vellum.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code vellum bench}: load generators that measure a running Vellum node over HTTP, with
 * storage baselines measured in the same run. See docs/benchmarks.md for the commands and the
 * numbers they produced.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure a Vellum node: ingest, query and proof load over HTTP, storage baselines.",
    subcommands = {IngestCommand.class, QueryCommand.class, ProofCommand.class,
        SoakCommand.class, dev.vellum.bench.crash.CrashCommand.class})
public final class BenchCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
