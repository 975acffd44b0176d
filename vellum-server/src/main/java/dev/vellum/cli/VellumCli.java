package dev.vellum.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vellum} command line of the production jar: one subcommand per job. {@code verify}
 * and {@code monitor} come from vellum-verify; {@code vellum bench …} lives in vellum-bench's own
 * jar, which {@code bin/vellum} runs instead, so that no load generator ships with the service.
 */
@Command(name = "vellum", mixinStandardHelpOptions = true, version = "Vellum 0.1.0",
    description = "Audit as a Service: verifiable, searchable audit events.",
    subcommands = {ServeCommand.class, WarmupCommand.class,
        dev.vellum.verify.VerifyCommand.class, dev.vellum.verify.MonitorCommand.class})
public final class VellumCli implements Runnable {

  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("serve") || args[0].equals("warmup"))) {
      // picocli builds every subcommand (HTTP clients, JSON mappers, TLS set-up) when the full
      // command tree is constructed; starting the service needs none of that and starts sooner
      // without it
      String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
      Object command = args[0].equals("serve") ? new ServeCommand() : new WarmupCommand();
      System.exit(new CommandLine(command).setCommandName("vellum " + args[0]).execute(rest));
    }
    System.exit(new CommandLine(new VellumCli()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
