package dev.vellum.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The few Vellum HTTP endpoints an auditor needs, with the caller's bearer key. Everything it
 * returns is untrusted until checked against a checkpoint signed by the trusted key.
 */
final class LogClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http;
  private final URI base;
  private final String apiKey;
  private final ObjectMapper json;

  LogClient(URI base, String apiKey, ObjectMapper json) {
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String b = base.toString();
    this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
    this.apiKey = apiKey;
    this.json = json;
  }

  URI base() {
    return base;
  }

  /** GET {@code path} and return the body of a 200 answer. */
  String getText(String path) throws VerifyException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + apiKey)
            .GET()
            .build();
    HttpResponse<String> r;
    try {
      r = http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new VerifyException("GET " + base + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VerifyException("interrupted during GET " + base + path, e);
    }
    if (r.statusCode() != 200) {
      String body = r.body() == null ? "" : r.body().strip();
      throw new VerifyException(
          "GET "
              + base
              + path
              + " answered "
              + r.statusCode()
              + (body.isEmpty()
                  ? ""
                  : ": " + (body.length() > 300 ? body.substring(0, 300) + "…" : body)));
    }
    return r.body();
  }

  JsonNode getJson(String path) throws VerifyException {
    String body = getText(path);
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new VerifyException(
          "GET " + base + path + " did not answer JSON: " + e.getMessage(), e);
    }
  }

  /** Decodes a JSON array of base64 hashes, as in proofs. */
  static List<byte[]> hashes(JsonNode array, String what) throws VerifyException {
    if (array == null || !array.isArray()) {
      throw new VerifyException(what + " is not a JSON array of base64 hashes");
    }
    List<byte[]> out = new ArrayList<>(array.size());
    for (JsonNode h : array) {
      out.add(hash(h, what));
    }
    return out;
  }

  static byte[] hash(JsonNode node, String what) throws VerifyException {
    if (node == null || !node.isTextual()) {
      throw new VerifyException(what + " is not a base64 string");
    }
    try {
      return Base64.getDecoder().decode(node.textValue());
    } catch (IllegalArgumentException e) {
      throw new VerifyException(what + " \"" + node.textValue() + "\" is not base64", e);
    }
  }
}
