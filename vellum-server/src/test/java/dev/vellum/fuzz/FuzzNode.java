package dev.vellum.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
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
import java.util.stream.Stream;

/**
 * A real node for the HTTP fuzz targets, on a loopback port of its own.
 *
 * <p>Jazzer's SSRF detector fails any socket connection the fuzz test has not allowed; the
 * targets' own requests to this node are the only connections they make, so exactly
 * (loopback, this port) is allowed and everything else stays a finding (a server that fetched
 * a schema or called a webhook because of fuzzed input would be one). The rate limit is lifted,
 * because a fuzzer sends far more than the default 2,000 requests/s of one key is meant for and
 * every answer would otherwise be a 429 that reaches nothing.
 */
final class FuzzNode implements AutoCloseable {
  private final Path root;
  private final TestNode node;
  private final SilentCloseable allowOwnPort;

  private FuzzNode(Path root, TestNode node, SilentCloseable allowOwnPort) {
    this.root = root;
    this.node = node;
    this.allowOwnPort = allowOwnPort;
  }

  static FuzzNode start(String name) {
    try {
      Path root = Files.createTempDirectory("vellum-fuzz-" + name + "-");
      TestNode node = TestNode.start(root.resolve("data"), c -> c.withRateLimit(
          new VellumConfig.RateLimit(1_000_000_000L, 1_000_000_000L)));
      int port = node.port();
      // the client connects to 127.0.0.1; InetSocketAddress.getHostName may resolve it back
      SilentCloseable allow = BugDetectors.allowNetworkConnections((host, p) -> p == port
          && ("127.0.0.1".equals(host) || "localhost".equals(host)));
      return new FuzzNode(root, node, allow);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  TestNode node() {
    return node;
  }

  @Override
  public void close() {
    node.close();
    allowOwnPort.close();
    // a campaign starts a node per target: do not leave gigabytes of fuzzed events behind
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fails with the request and answer unless the status is one the endpoint documents. */
  static void assertStatusIn(Set<Integer> documented, TestNode.Reply r, String request) {
    assertTrue(documented.contains(r.status()), () -> "undocumented status " + r.status()
        + " (documented: " + documented + ") for " + request + ": " + r.raw().body());
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
        query.append(query.length() == 0 ? "?" : "&")
            .append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8)).append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    }
    return query.toString();
  }
}
