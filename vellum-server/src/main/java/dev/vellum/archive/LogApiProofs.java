package dev.vellum.archive;

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
 * A Vellum server's log API as a source of audit paths ({@code GET /v1/log/proof}) and of the log
 * key ({@code GET /v1/log/key}), with a key of the tenant whose archive is checked. The proofs need
 * no trust in the server: each is checked against the signed checkpoint of the manifest; the key
 * does, so auditors pass the key they trust instead when they have it.
 */
public final class LogApiProofs implements ArchiveVerifier.InclusionProofs {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final String apiKey;

  public LogApiProofs(String baseUrl, String apiKey) {
    this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.apiKey = apiKey;
  }

  /** The log's verifier key as the server states it. */
  public String logKey() throws IOException {
    return get("/v1/log/key").strip();
  }

  @Override
  public List<byte[]> auditPath(long leafIndex, long treeSize) throws IOException {
    JsonNode p =
        JSON.readTree(get("/v1/log/proof?leaf_index=" + leafIndex + "&tree_size=" + treeSize));
    List<byte[]> path = new ArrayList<>();
    for (JsonNode h : p.path("audit_path")) {
      path.add(Base64.getDecoder().decode(h.asText()));
    }
    return path;
  }

  private String get(String path) throws IOException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + apiKey)
            .GET()
            .build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
      }
      return r.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
