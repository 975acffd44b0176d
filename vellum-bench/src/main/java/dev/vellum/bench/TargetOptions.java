package dev.vellum.bench;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Where a benchmark sends its load: a running node, or one started in this process. */
final class TargetOptions {
  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:8080",
      description = "base URL of a running node (default ${DEFAULT-VALUE})")
  String url;

  @Option(
      names = "--key",
      defaultValue = "${env:VELLUM_KEY}",
      description = "API key (default: env VELLUM_KEY)")
  @Nullable String key;

  @Option(
      names = "--start-server",
      description =
          "start a node in this process on a fresh"
              + " temporary data dir (or --data-dir) instead of using --url")
  boolean startServer;

  @Option(names = "--data-dir", description = "data dir for --start-server (kept afterwards)")
  @Nullable Path dataDir;

  /** Connects to, or starts, the node these options name. */
  Target open() {
    return startServer ? Target.inProcess(dataDir) : Target.remote(url, key);
  }
}
