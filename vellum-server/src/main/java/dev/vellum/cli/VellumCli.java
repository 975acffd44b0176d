package dev.vellum.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vellum} command line: one subcommand per job. */
@Command(name = "vellum", mixinStandardHelpOptions = true, version = "Vellum 0.1.0",
    description = "Audit as a Service: verifiable, searchable audit events.",
    subcommands = {ServeCommand.class, dev.vellum.bench.BenchCommand.class,
        dev.vellum.verify.VerifyCommand.class, dev.vellum.verify.MonitorCommand.class})
public final class VellumCli implements Runnable {

  public static void main(String[] args) {
    System.exit(new CommandLine(new VellumCli()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
