package dev.vellum.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.testing.TestNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request bodies sent with Content-Encoding: gzip, and the ways that can go wrong. */
class GzipBodyApiTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(dir);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static byte[] gzip(byte[] raw) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(raw);
    }
    return out.toByteArray();
  }

  private static HttpResponse<String> post(String encoding, byte[] body) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(node.url("/v1/events")))
            .header("Authorization", "Bearer " + TestNode.ADMIN_KEY)
            .header("Content-Type", "application/json")
            .header("Content-Encoding", encoding)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void storesAGzippedEvent() throws Exception {
    byte[] event = node.loginEvent("gzip-user").toString().getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> r = post("gzip", gzip(event));
    assertEquals(200, r.statusCode(), r.body());
    String id = JSON.readTree(r.body()).get("results").get(0).get("id").asText();
    assertEquals(200, node.get("/v1/events/" + id, TestNode.ADMIN_KEY).status());
  }

  @Test
  void cutsOffAGzipBombAtTheByteLimitWith413() throws Exception {
    byte[] huge = new byte[16 << 20]; // 16 MiB of spaces inside an array: ~16 KiB gzipped
    java.util.Arrays.fill(huge, (byte) ' ');
    huge[0] = '[';
    huge[huge.length - 1] = ']';
    byte[] bomb = gzip(huge);
    assertTrue(bomb.length < 100_000);
    HttpResponse<String> r = post("gzip", bomb);
    assertEquals(413, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
  }

  @Test
  void refusesAnUnsupportedEncodingWith415() throws Exception {
    HttpResponse<String> r = post("br", new byte[] {1, 2, 3});
    assertEquals(415, r.statusCode(), r.body());
    JsonNode problem = JSON.readTree(r.body());
    assertTrue(problem.get("detail").asText().contains("br"));
  }

  @Test
  void refusesABodyThatIsNotGzipWith400() throws Exception {
    HttpResponse<String> r = post("gzip", "{\"not\":\"gzip\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, r.statusCode(), r.body());
    assertEquals(200, node.get("/health/ready", null).status());
  }
}
