package dev.vellum.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.app.VellumNode;
import dev.vellum.config.VellumConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.UnaryOperator;

/** A real Vellum node on a random loopback port with its own data dir, plus an HTTP client. */
public final class TestNode implements AutoCloseable {
  public static final String ADMIN_KEY = "vk_test_bootstrap_admin_key_0123456789abcdef";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public final ObjectMapper json = new ObjectMapper();
  private final Path dataDir;
  private final UnaryOperator<VellumConfig> tweak;
  private final VellumNode.Extensions extensions;
  private VellumNode node;

  private TestNode(
      Path dataDir, UnaryOperator<VellumConfig> tweak, VellumNode.Extensions extensions) {
    this.dataDir = dataDir;
    this.tweak = tweak;
    this.extensions = extensions;
  }

  public static TestNode start(Path dataDir) {
    return start(dataDir, c -> c);
  }

  public static TestNode start(Path dataDir, UnaryOperator<VellumConfig> tweak) {
    return start(dataDir, tweak, VellumNode.Extensions.none());
  }

  /** A node with fault wrappers or extra feed consumers. */
  public static TestNode start(
      Path dataDir, UnaryOperator<VellumConfig> tweak, VellumNode.Extensions extensions) {
    TestNode t = new TestNode(dataDir, tweak, extensions);
    t.boot();
    return t;
  }

  public static VellumConfig config(Path dataDir) {
    return VellumConfig.defaults()
        .withPort(0)
        .withHost("127.0.0.1")
        .withDataDir(dataDir)
        .withBootstrapKey(ADMIN_KEY);
  }

  private void boot() {
    node = VellumNode.start(tweak.apply(config(dataDir)).validate(), false, extensions);
  }

  /** Stops gracefully and starts again on the same data dir (new port). */
  public void restart() {
    restart(() -> {});
  }

  /** Stops, runs {@code whileStopped} (e.g. to damage the data dir), and starts again. */
  public void restart(Runnable whileStopped) {
    node.close();
    whileStopped.run();
    boot();
  }

  public int port() {
    return node.port();
  }

  /** The running node itself: its parts (store, records, ingest, archive), for tests. */
  public VellumNode node() {
    return node;
  }

  /** The endpoints of the running router, as "method path". */
  public java.util.List<String> routes() {
    return node.routes();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + node.port() + path;
  }

  /** A response: status, headers and the body parsed as JSON (null if empty or not JSON). */
  public record Reply(int status, HttpResponse<String> raw, JsonNode body) {
    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public String contentType() {
      return header("content-type");
    }
  }

  public Reply send(String method, String path, String key, String contentType, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode parsed = null;
      try {
        parsed = r.body().isEmpty() ? null : json.readTree(r.body());
      } catch (IOException notJson) {
        parsed = null;
      }
      return new Reply(r.statusCode(), r, parsed);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Reply get(String path, String key) {
    return send("GET", path, key, null, null);
  }

  /**
   * A GET that, like a well-behaved client, waits out 429 and 503 answers as their {@code
   * Retry-After} says, for at most a minute; the last answer is returned.
   */
  public Reply getPatiently(String path, String key) {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    Reply r = get(path, key);
    while ((r.status() == 429 || r.status() == 503)
        && r.header("Retry-After") != null
        && System.nanoTime() < deadline) {
      try {
        Thread.sleep(Math.min(5_000, 1_000 * Long.parseLong(r.header("Retry-After").trim())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return r;
      }
      r = get(path, key);
    }
    return r;
  }

  public Reply post(String path, String key, Object body) {
    return send("POST", path, key, "application/json", asText(body));
  }

  public Reply put(String path, String key, Object body) {
    return send("PUT", path, key, "application/json", asText(body));
  }

  private String asText(Object body) {
    try {
      return body instanceof String s ? s : json.writeValueAsString(body);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A minimal valid event of type LOGIN_SUCCESSFUL from DEMO_APP. */
  public ObjectNode loginEvent(String actor) {
    ObjectNode e = json.createObjectNode();
    e.put("occurred_at", Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS).toString());
    e.put("source", "DEMO_APP");
    e.put("type", "LOGIN_SUCCESSFUL");
    e.put("outcome", "success");
    ObjectNode a = e.putObject("actor");
    a.put("type", "user");
    a.put("id", actor);
    a.put("ip", "10.1.2.3");
    e.putObject("metadata").put("login_method", "PASSWORD");
    return e;
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public void close() {
    node.close();
  }
}
