package dev.vellum.bench;

import dev.vellum.app.VellumNode;
import dev.vellum.config.VellumConfig;
import dev.vellum.feed.FeedSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The node under test: either a server already running at a URL, or one started in this process on
 * a data dir (a fresh temporary one unless given, deleted again on close).
 */
final class Target implements AutoCloseable {
  /** The first node's base URL: what every benchmark but ingest talks to. */
  final String baseUrl;

  /** Every node given ({@code --url a,b,c}: nodes on one database); ingest spreads over them. */
  final List<String> baseUrls;

  final String key;
  private final @Nullable VellumNode node;
  private final @Nullable Path tempDir;

  private Target(
      List<String> baseUrls, String key, @Nullable VellumNode node, @Nullable Path tempDir) {
    this.baseUrls = List.copyOf(baseUrls);
    this.baseUrl = baseUrls.get(0);
    this.key = key;
    this.node = node;
    this.tempDir = tempDir;
  }

  static Target remote(String url, @Nullable String key) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("--key is required unless --start-server is given");
    }
    List<String> urls = new java.util.ArrayList<>();
    for (String u : url.split(",")) {
      if (!u.isBlank()) {
        urls.add(u.strip().replaceAll("/+$", ""));
      }
    }
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("--url names no node");
    }
    return new Target(urls, key, null, null);
  }

  /**
   * Starts an in-process node on {@code dataDir} (or a temporary dir when null) with a rate limit
   * high enough not to throttle the benchmark.
   */
  static Target inProcess(@Nullable Path dataDir) {
    return inProcess(dataDir, false, null);
  }

  /**
   * {@code discardSearch}: the control arm without the search engine's work; {@code maxLeadEvents}:
   * the node's {@code ingest.max_lead_events}, or null for the default.
   */
  static Target inProcess(
      @Nullable Path dataDir, boolean discardSearch, @Nullable Long maxLeadEvents) {
    try {
      Path temp = dataDir == null ? Files.createTempDirectory("vellum-bench-node") : null;
      Path dir = dataDir != null ? dataDir : Objects.requireNonNull(temp, "created above");
      String fresh = "vk_bench_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
      VellumConfig defaults = VellumConfig.defaults();
      VellumConfig.Ingest ingest =
          maxLeadEvents == null
              ? defaults.ingest()
              : defaults.ingest().withMaxLeadEvents(maxLeadEvents);
      VellumConfig config =
          defaults
              .withIngest(ingest)
              .withPort(0)
              .withHost("127.0.0.1")
              .withDataDir(dir)
              .withBootstrapKey(fresh)
              .withRateLimit(new VellumConfig.RateLimit(10_000_000, 10_000_000))
              .validate();
      VellumNode.Extensions extensions =
          discardSearch
              ? new VellumNode.Extensions(
                  UnaryOperator.identity(),
                  DiscardingSearchIndex::new,
                  List.of(),
                  FeedSettings.defaults())
              : VellumNode.Extensions.none();
      VellumNode node = VellumNode.start(config, false, extensions);
      String key =
          node.bootstrapKey() != null
              ? node.bootstrapKey()
              : Files.readString(dir.resolve("bootstrap-key")).trim();
      return new Target(List.of("http://127.0.0.1:" + node.port()), key, node, temp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the in-process node: " + e.getMessage(), e);
    }
  }

  boolean inProcess() {
    return node != null;
  }

  @Override
  public void close() {
    if (node != null) {
      node.close();
    }
    if (tempDir != null) {
      deleteTree(tempDir);
    }
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("vellum bench: could not delete " + dir + ": " + e.getMessage());
    }
  }
}
