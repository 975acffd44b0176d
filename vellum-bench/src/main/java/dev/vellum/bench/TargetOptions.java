package dev.vellum.bench;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Where a benchmark sends its load: a running node, or one started in this process. */
final class TargetOptions {
  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:8080",
      description =
          "base URL of a running node (default ${DEFAULT-VALUE}); for bench ingest a"
              + " comma-separated list of nodes on one database, batches spread round-robin")
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

  @Option(
      names = "--search-control",
      description =
          "with --start-server: 'discard' makes the node's search index drop every event it is"
              + " handed, a control arm that measures the node without the search engine's work"
              + " (searches then find nothing); default: the real index")
  @Nullable String searchControl;

  @Option(
      names = "--max-lead-events",
      description =
          "with --start-server: the node's ingest.max_lead_events (how far commits may run ahead"
              + " of its search index and rules engine before requests wait; 0: never wait);"
              + " default: the server's default")
  @Nullable Long maxLeadEvents;

  /** Connects to, or starts, the node these options name. */
  Target open() {
    if (searchControl != null && (!startServer || !searchControl.equals("discard"))) {
      throw new IllegalArgumentException(
          "--search-control takes only 'discard', and only with --start-server");
    }
    if (maxLeadEvents != null && (!startServer || maxLeadEvents < 0)) {
      throw new IllegalArgumentException(
          "--max-lead-events takes a count of 0 or more, and only with --start-server");
    }
    return startServer
        ? Target.inProcess(dataDir, searchControl != null, maxLeadEvents)
        : Target.remote(url, key);
  }
}
