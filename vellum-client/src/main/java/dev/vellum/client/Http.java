package dev.vellum.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** The JDK HttpClient with the endpoint and the API key applied. */
final class Http {
  /** A server asking for more than this is treated as asking for this. */
  static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

  private final HttpClient client;
  private final String base;
  private final String apiKey;
  private final Duration requestTimeout;

  Http(URI endpoint, String apiKey, Duration connectTimeout, Duration requestTimeout) {
    String s = endpoint.toString();
    this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    this.apiKey = apiKey;
    this.requestTimeout = requestTimeout;
    // HTTP/1.1: the JDK client would otherwise try an h2c upgrade on every new plain-HTTP
    // connection, which the server declines anyway
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .build();
  }

  /** Bodies smaller than this go uncompressed: gzip's header and CPU would outweigh the bytes. */
  static final int GZIP_FROM_BYTES = 1024;

  CompletableFuture<HttpResponse<byte[]>> postJson(String path, byte[] body) {
    HttpRequest.Builder b = request(path).header("Content-Type", "application/json");
    if (body.length >= GZIP_FROM_BYTES) {
      b.header("Content-Encoding", "gzip");
      body = gzip(body);
    }
    HttpRequest r = b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    return client.sendAsync(r, HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Audit events compress about 5-10x: fewer bytes on the wire for the same batch. */
  static byte[] gzip(byte[] body) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(body.length / 4 + 64);
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out, 8192)) {
      z.write(body);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("gzip into memory failed", e);
    }
    return out.toByteArray();
  }

  HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return client.send(request(pathAndQuery).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .timeout(requestTimeout)
        .header("Authorization", "Bearer " + apiKey)
        .header("User-Agent", "vellum-java-client");
  }

  /** {@code Retry-After} as delta-seconds or an HTTP-date (RFC 9110 §10.2.3), or null. */
  static @Nullable Duration retryAfter(HttpResponse<?> r) {
    return retryAfter(r.headers().firstValue("Retry-After").orElse(null), java.time.Instant.now());
  }

  static @Nullable Duration retryAfter(@Nullable String v, java.time.Instant now) {
    if (v == null || v.isBlank()) {
      return null;
    }
    v = v.trim();
    Duration d;
    try {
      d = Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException notSeconds) {
      try {
        d =
            Duration.between(
                now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeParseException neither) {
        return null;
      }
    }
    if (d.isNegative()) {
      return Duration.ZERO;
    }
    return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
  }
}
