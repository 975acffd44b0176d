package dev.vellum.verify;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The auditor's command line on its own: {@code java -jar vellum-verify.jar verify|monitor …}. The
 * same two commands are also subcommands of the server's {@code vellum}; this entry point exists so
 * that an auditor can check a log with a jar that contains none of the server.
 */
@Command(
    name = "vellum",
    mixinStandardHelpOptions = true,
    version = "Vellum verify 0.1.0",
    description = "Verify a Vellum log offline or online, or monitor it as a witness.",
    subcommands = {VerifyCommand.class, MonitorCommand.class})
public final class VerifyCli implements Runnable {

  public static void main(String[] args) {
    System.exit(new CommandLine(new VerifyCli()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
