package dev.vellum.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.BugDetectors;
import dev.vellum.config.VellumConfig;
import dev.vellum.testing.TestNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.stream.Stream;

/**
 * A real node for the HTTP fuzz targets, on a loopback port of its own.
 *
 * <p>Jazzer's SSRF detector fails any socket connection the fuzz test has not allowed; the targets'
 * own requests to this node are the only connections they make, so exactly (loopback, this port) is
 * allowed and everything else stays a finding (a server that fetched a schema or called a webhook
 * because of fuzzed input would be one). Jazzer resets the policy to "deny all" when fuzzing
 * starts, after the seeds have run (and started this node), so {@link #node()} sets it again on
 * every input: one atomic write. The rate limit is lifted, because a fuzzer sends far more than the
 * default 2,000 requests/s of one key is meant for and every answer would otherwise be a 429 that
 * reaches nothing.
 */
final class FuzzNode implements AutoCloseable {
  private final Path root;
  private final TestNode node;
  private final BiPredicate<String, Integer> ownPort;

  private FuzzNode(Path root, TestNode node) {
    this.root = root;
    this.node = node;
    int port = node.port();
    // the client connects to 127.0.0.1; InetSocketAddress.getHostName may resolve it back
    this.ownPort = (host, p) -> p == port && ("127.0.0.1".equals(host) || "localhost".equals(host));
  }

  static FuzzNode start(String name) {
    try {
      Path root = Files.createTempDirectory("vellum-fuzz-" + name + "-");
      TestNode node =
          TestNode.start(
              root.resolve("data"),
              c -> c.withRateLimit(new VellumConfig.RateLimit(1_000_000_000L, 1_000_000_000L)));
      return new FuzzNode(root, node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The node, with connections to it (and nowhere else) allowed for the current input. */
  @SuppressWarnings("resource") // the policy stays until the next input sets it again
  TestNode node() {
    BugDetectors.allowNetworkConnections(ownPort);
    return node;
  }

  @Override
  public void close() {
    node.close();
    BugDetectors.allowNetworkConnections((host, p) -> false);
    // a campaign starts a node per target: do not leave gigabytes of fuzzed events behind
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fails with the request and answer unless the status is one the endpoint documents. */
  static void assertStatusIn(Set<Integer> documented, TestNode.Reply r, String request) {
    assertTrue(
        documented.contains(r.status()),
        () ->
            "undocumented status "
                + r.status()
                + " (documented: "
                + documented
                + ") for "
                + request
                + ": "
                + r.raw().body());
  }

  /** {@code a=1&b=2&b=3} split without decoding: every name and value as written. */
  static Map<String, List<String>> params(String text) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    if (text.isEmpty()) {
      return params;
    }
    for (String pair : text.split("&", -1)) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return params;
  }

  /** The parameters as a percent-encoded query string ({@code ?a=1&b=2}, or empty). */
  static String query(Map<String, List<String>> params) {
    StringBuilder query = new StringBuilder();
    for (Map.Entry<String, List<String>> p : params.entrySet()) {
      for (String v : p.getValue()) {
        query
            .append(query.length() == 0 ? "?" : "&")
            .append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8))
            .append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    }
    return query.toString();
  }
}
