package dev.vellum.bench.crash;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Vellum server running as a child JVM: the same java binary and class path as this process, main
 * class {@code dev.vellum.cli.VellumCli}. Its output goes to a log file so that a failed start can
 * be explained.
 */
final class ServerProcess {
  static final String MAIN_CLASS = "dev.vellum.cli.VellumCli";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final Path log;

  private final Thread reaper;

  private ServerProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
    // If the harness itself is stopped (Ctrl-C, a test timeout), the child must not outlive it.
    this.reaper = new Thread(process::destroyForcibly, "vellum-child-reaper-" + process.pid());
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  private void forgetReaper() {
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }

  /** The command that runs {@code vellum <args>} in a fresh JVM like this one. */
  static List<String> javaCommand(List<String> vellumArgs) {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    // Small and quick to start: the harness kills it often, peak throughput is not the point.
    cmd.add("-Xmx384m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MAIN_CLASS);
    cmd.addAll(vellumArgs);
    return cmd;
  }

  /** A process builder for {@code vellum <args>} with a clean Vellum environment. */
  static ProcessBuilder builder(List<String> vellumArgs, Path workDir, Map<String, String> env) {
    ProcessBuilder pb = new ProcessBuilder(javaCommand(vellumArgs)).directory(workDir.toFile());
    // Settings of the calling shell must not leak into the child (a VELLUM_CONFIG file, a port).
    pb.environment().keySet().removeIf(k -> k.startsWith("VELLUM_"));
    pb.environment().putAll(env);
    return pb;
  }

  /**
   * Starts {@code vellum serve} on a free loopback port and waits until {@code /health/ready}
   * answers 200.
   *
   * @throws IllegalStateException if the server exits or is not ready within a minute; the message
   *     holds the tail of its log
   */
  static ServerProcess start(
      Path dataDir, Path logDir, String bootstrapKey, String logName, HttpClient http)
      throws IOException, InterruptedException {
    int port = freePort();
    Files.createDirectories(logDir);
    Path log = logDir.resolve(logName);
    ProcessBuilder pb =
        builder(
            List.of(
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--data-dir",
                dataDir.toAbsolutePath().toString()),
            logDir,
            Map.of("VELLUM_BOOTSTRAP_KEY", bootstrapKey));
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    ServerProcess server = new ServerProcess(pb.start(), port, log);
    server.awaitReady(http);
    return server;
  }

  private void awaitReady(HttpClient http) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create(url("/health/ready")))
            .timeout(Duration.ofSeconds(2))
            .GET()
            .build();
    boolean started = false;
    try {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "server exited with code "
                  + process.exitValue()
                  + " during start; log "
                  + log
                  + ":\n"
                  + logTail());
        }
        try {
          if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            started = true;
            return;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(50);
      }
      throw new IllegalStateException(
          "server not ready after "
              + START_TIMEOUT.toSeconds()
              + " s; log "
              + log
              + ":\n"
              + logTail());
    } finally {
      if (!started) {
        process.destroyForcibly();
        forgetReaper();
      }
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL on Linux: no shutdown hook, no drain, no commit. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("server pid " + process.pid() + " survived SIGKILL");
    }
    forgetReaper();
  }

  /** SIGTERM: graceful stop. Returns the exit code, or -1 if it did not stop in time. */
  int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      forgetReaper();
      return -1;
    }
    forgetReaper();
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
