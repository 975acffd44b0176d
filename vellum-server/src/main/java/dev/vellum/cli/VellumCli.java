package dev.vellum.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vellum} command line of the production jar: one subcommand per job. {@code verify} and
 * {@code monitor} come from vellum-verify; {@code vellum bench …} lives in vellum-bench's own jar,
 * which {@code bin/vellum} runs instead, so that no load generator ships with the service.
 */
@Command(
    name = "vellum",
    mixinStandardHelpOptions = true,
    versionProvider = VellumCli.Version.class,
    description = "Audit as a Service: verifiable, searchable audit events.",
    subcommands = {
      ServeCommand.class,
      WarmupCommand.class,
      SearchCommand.class,
      ArchiveCommand.class,
      MigrateCommand.class,
      dev.vellum.verify.VerifyCommand.class,
      dev.vellum.verify.MonitorCommand.class,
      dev.vellum.cli.client.SendCommand.class,
      dev.vellum.cli.client.QueryCommand.class,
      dev.vellum.cli.client.TailCommand.class,
      dev.vellum.cli.client.KeysCommand.class,
      dev.vellum.cli.client.SourcesCommand.class,
      dev.vellum.cli.client.TypesCommand.class,
      dev.vellum.cli.client.AnalyticsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class VellumCli implements Callable<Integer> {
  /** Exit code of {@code vellum} without a command: a usage error, as in most CLIs. */
  static final int EXIT_USAGE = 2;

  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("serve") || args[0].equals("warmup"))) {
      // picocli builds every subcommand (HTTP clients, JSON mappers, TLS set-up) when the full
      // command tree is constructed; starting the service needs none of that and starts sooner
      // without it
      String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
      Object command = args[0].equals("serve") ? new ServeCommand() : new WarmupCommand();
      System.exit(new CommandLine(command).setCommandName("vellum " + args[0]).execute(rest));
    }
    System.exit(commandLine().execute(args));
  }

  /** The full command tree, including {@code help} and {@code completion}. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new VellumCli());
    CommandLine completion = new CommandLine(new AutoComplete.GenerateCompletion());
    completion
        .getCommandSpec()
        .usageMessage()
        .description("Print a bash/zsh completion script: source <(vellum completion)");
    cli.addSubcommand("completion", completion);
    return cli;
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return EXIT_USAGE;
  }

  /** The version of the jar (from its manifest), so the CLI, poms and docs cannot disagree. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = VellumCli.class.getPackage().getImplementationVersion();
      return new String[] {"Vellum " + (v == null ? "(development build)" : v)};
    }
  }
}
