package dev.vellum.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** The plain request/response calls of the people-facing commands (query, keys, sources, types). */
final class Api {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final String base;
  private final String key;

  /** A failure to report in one line and exit 2 (or 1 when {@code refused}). */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int exit;

    Failure(String message) {
      this(message, 2);
    }

    Failure(String message, int exit) {
      super(message);
      this.exit = exit;
    }
  }

  Api(String url, String key) {
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.key = key;
  }

  String base() {
    return base;
  }

  String key() {
    return key;
  }

  JsonNode get(String path) {
    return call("GET", path, null);
  }

  JsonNode post(String path, Object body) {
    return call("POST", path, body);
  }

  JsonNode put(String path, Object body) {
    return call("PUT", path, body);
  }

  JsonNode delete(String path) {
    return call("DELETE", path, null);
  }

  /** Sends the request; a non-2xx answer becomes a {@link Failure} with the server's detail. */
  JsonNode call(String method, String path, @Nullable Object body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(60))
              .header("Authorization", "Bearer " + key);
      if (body != null) {
        b.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
      } else {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      }
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode parsed = null;
      if (!r.body().isEmpty()) {
        try {
          parsed = JSON.readTree(r.body());
        } catch (IOException notJson) {
          parsed = JSON.getNodeFactory().textNode(r.body());
        }
      }
      if (r.statusCode() / 100 != 2) {
        String detail =
            parsed != null && parsed.has("detail") ? parsed.get("detail").asText() : r.body();
        throw new Failure(
            method + " " + path + ": HTTP " + r.statusCode() + ": " + detail,
            r.statusCode() == 401 || r.statusCode() == 403 ? 2 : 1);
      }
      return parsed == null ? JSON.nullNode() : parsed;
    } catch (IOException e) {
      throw new Failure("cannot reach " + base + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    }
  }
}
