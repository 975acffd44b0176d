package dev.vellum.cli;

import dev.vellum.app.VellumNode;
import dev.vellum.config.ConfigException;
import dev.vellum.config.ConfigLoader;
import dev.vellum.config.VellumConfig;
import dev.vellum.store.StoreException;
import dev.vellum.store.postgres.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code vellum serve}: runs the service until SIGTERM or SIGINT, then stops gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the Vellum service.")
final class ServeCommand implements Callable<Integer> {
  static final int EXIT_CONFIG = 2;
  static final int EXIT_STORAGE = 3;

  /** The HTTP listener could not start (port in use, address not available, no permission). */
  static final int EXIT_LISTEN = 4;

  /** The PostgreSQL database (store: postgres) cannot be reached: URL, server, login. */
  static final int EXIT_DATABASE_UNREACHABLE = 5;

  /** The PostgreSQL database was reached, but Vellum's schema could not be created or migrated. */
  static final int EXIT_DATABASE_MIGRATION = 6;

  /** Any other failure to start. */
  static final int EXIT_START = 1;

  @Option(
      names = "--config",
      description = "YAML config file (default: ./vellum.yaml if present;" + " env VELLUM_CONFIG)")
  @Nullable Path configFile;

  @Option(names = "--port", description = "HTTP port (default 8080; env VELLUM_PORT)")
  @Nullable Integer port;

  @Option(names = "--host", description = "address to bind (default 0.0.0.0; env VELLUM_HOST)")
  @Nullable String host;

  @Option(
      names = "--data-dir",
      description = "data directory (default ./vellum-data;" + " env VELLUM_DATA_DIR)")
  @Nullable Path dataDir;

  @Option(names = "--demo", description = "load ~500 realistic demo events into an empty store")
  boolean demo;

  @Override
  public Integer call() {
    VellumConfig config;
    try {
      config = resolveConfig();
    } catch (ConfigException e) {
      System.err.println("vellum: configuration error: " + oneLine(e.getMessage()));
      return EXIT_CONFIG;
    }
    String busy = portProblem(config);
    if (busy != null) {
      System.err.println(busy);
      return EXIT_LISTEN;
    }
    VellumNode node;
    try {
      node = VellumNode.start(config, demo);
    } catch (ConfigException e) {
      // settings only checked when used, such as a TLS key that does not match its certificate
      System.err.println("vellum: configuration error: " + oneLine(e.getMessage()));
      return EXIT_CONFIG;
    } catch (PostgresDatabase.OpenException e) {
      System.err.println("vellum: " + oneLine(e.getMessage()));
      return e.failure() == PostgresDatabase.Failure.UNREACHABLE
          ? EXIT_DATABASE_UNREACHABLE
          : EXIT_DATABASE_MIGRATION;
    } catch (StoreException e) {
      System.err.println(
          "vellum: cannot use data dir "
              + config.dataDir().toAbsolutePath()
              + ": "
              + oneLine(e.getMessage()));
      return EXIT_STORAGE;
    } catch (RuntimeException | Error e) {
      // every start-up failure is one line and an exit code, never a stack trace
      java.net.BindException bind = causeOfType(e, java.net.BindException.class);
      if (bind != null) {
        System.err.println(
            "vellum: cannot listen on "
                + config.host()
                + ":"
                + config.port()
                + ": "
                + oneLine(bind.getMessage())
                + " (is another server using the port? set"
                + " --port or VELLUM_PORT)");
        return EXIT_LISTEN;
      }
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      System.err.println(
          "vellum: cannot start: "
              + oneLine(String.valueOf(e.getMessage()))
              + (root == e ? "" : " (" + oneLine(root.toString()) + ")"));
      return EXIT_START;
    }
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.err.println("vellum: stopping: draining the ingest queue");
    node.close();
    System.err.println("vellum: stopped cleanly");
    return 0;
  }

  /**
   * Binds the configured address once before anything else, so a busy port is reported in one line
   * before the data dir is touched and before Javalin logs its own error. The bind inside Javalin
   * can still fail (another process may take the port in between); that is reported in one line
   * too.
   */
  private static @Nullable String portProblem(VellumConfig config) {
    if (config.port() == 0) {
      return null;
    }
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true); // as Jetty does, so a port in TIME_WAIT is not "busy"
      probe.bind(new java.net.InetSocketAddress(config.host(), config.port()));
      return null;
    } catch (java.io.IOException e) {
      return "vellum: cannot listen on "
          + config.host()
          + ":"
          + config.port()
          + ": "
          + oneLine(e.getMessage())
          + " (is another server using the port? set --port or"
          + " VELLUM_PORT)";
    }
  }

  private static <T extends Throwable> @Nullable T causeOfType(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  static String oneLine(@Nullable String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }

  private VellumConfig resolveConfig() {
    return resolveConfig(configFile, port, host, dataDir);
  }

  /**
   * The configuration as {@code serve} resolves it: the YAML file ({@code --config}, {@code
   * VELLUM_CONFIG} or {@code ./vellum.yaml}), then {@code VELLUM_*} variables, then the flags
   * given.
   */
  static VellumConfig resolveConfig(
      @Nullable Path configFile,
      @Nullable Integer port,
      @Nullable String host,
      @Nullable Path dataDir) {
    Path file = configFile;
    if (file == null && System.getenv("VELLUM_CONFIG") != null) {
      file = Path.of(System.getenv("VELLUM_CONFIG"));
    }
    if (file == null && Files.exists(Path.of("vellum.yaml"))) {
      file = Path.of("vellum.yaml");
    }
    if (file != null && !Files.isReadable(file)) {
      throw new ConfigException("config file " + file + " is not readable");
    }
    VellumConfig c = ConfigLoader.load(file, System.getenv());
    if (port != null) {
      c = c.withPort(port);
    }
    if (host != null) {
      c = c.withHost(host);
    }
    if (dataDir != null) {
      c = c.withDataDir(dataDir);
    }
    return c.validate();
  }
}
