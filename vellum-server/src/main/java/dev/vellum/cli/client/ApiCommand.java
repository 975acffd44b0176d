package dev.vellum.cli.client;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The shared part of the client commands: options, output streams, failures as exit codes. */
abstract class ApiCommand implements Callable<Integer> {
  @Mixin ClientOptions client;
  @Spec CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public final Integer call() throws Exception {
    try {
      return run(client.api());
    } catch (Api.Failure f) {
      err().println("vellum: " + f.getMessage());
      err().flush();
      return f.exit;
    } finally {
      out().flush();
    }
  }

  abstract int run(Api api) throws Exception;
}
