package dev.vellum.cli;

import dev.vellum.app.VellumNode;
import dev.vellum.config.ConfigException;
import dev.vellum.config.ConfigLoader;
import dev.vellum.config.VellumConfig;
import dev.vellum.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code vellum serve}: runs the service until SIGTERM or SIGINT, then stops gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the Vellum service.")
final class ServeCommand implements Callable<Integer> {
  static final int EXIT_CONFIG = 2;
  static final int EXIT_STORAGE = 3;

  @Option(names = "--config", description = "YAML config file (default: ./vellum.yaml if present;"
      + " env VELLUM_CONFIG)")
  Path configFile;

  @Option(names = "--port", description = "HTTP port (default 8080; env VELLUM_PORT)")
  Integer port;

  @Option(names = "--host", description = "address to bind (default 0.0.0.0; env VELLUM_HOST)")
  String host;

  @Option(names = "--data-dir", description = "data directory (default ./vellum-data;"
      + " env VELLUM_DATA_DIR)")
  Path dataDir;

  @Option(names = "--demo", description = "load ~500 realistic demo events into an empty store")
  boolean demo;

  @Override
  public Integer call() {
    VellumConfig config;
    try {
      config = resolveConfig();
    } catch (ConfigException e) {
      System.err.println("vellum: configuration error: " + e.getMessage());
      return EXIT_CONFIG;
    }
    VellumNode node;
    try {
      node = VellumNode.start(config, demo);
    } catch (StoreException e) {
      System.err.println("vellum: cannot use data dir " + config.dataDir().toAbsolutePath()
          + ": " + e.getMessage());
      return EXIT_STORAGE;
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

  private VellumConfig resolveConfig() {
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
