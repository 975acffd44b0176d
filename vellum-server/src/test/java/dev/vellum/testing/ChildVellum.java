package dev.vellum.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code vellum …} as a separate JVM on the test class path, as an operator would. */
public final class ChildVellum {
  private ChildVellum() {}

  /** Exit code and everything the process printed (stdout and stderr together). */
  public record Exited(int code, String output) {
    /** The printed lines, without blank ones. */
    public List<String> lines() {
      return output.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  /** Runs the command, which must exit by itself within a minute. */
  public static Exited run(Path workDir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(
        List.of(
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.vellum.cli.VellumCli"));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(workDir, "vellum-", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("VELLUM_"));
    Process p = pb.start();
    try {
      boolean exited = p.waitFor(60, TimeUnit.SECONDS);
      String output = Files.readString(log, StandardCharsets.UTF_8);
      if (!exited) {
        throw new AssertionError(
            "vellum " + String.join(" ", args) + " did not exit within 60 s:\n" + output);
      }
      return new Exited(p.exitValue(), output);
    } finally {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
