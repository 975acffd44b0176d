package dev.vellum.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/**
 * The benchmarks' HTTP client: blocking HTTP/1.1 over a pool of kept-alive connections.
 *
 * <p>Why not {@code java.net.http.HttpClient}: on this 2-core machine it spent about 1.7 ms of CPU
 * per small request, more than the server it was measuring, and the client shares the cores with
 * the server. Apache HttpClient's classic API on the calling thread costs a fraction of that.
 */
final class BenchHttp implements AutoCloseable {
  /** Status and body of one answer; status -1 means an I/O error (message in the body). */
  record Response(int status, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final CloseableHttpClient client;
  private final String authorization;

  BenchHttp(String key, int connections) {
    this.authorization = "Bearer " + key;
    ConnectionConfig timeouts =
        ConnectionConfig.custom()
            .setConnectTimeout(Timeout.ofSeconds(10))
            .setSocketTimeout(Timeout.ofSeconds(120))
            .build();
    this.client =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(connections)
                    .setMaxConnPerRoute(connections)
                    .setDefaultConnectionConfig(timeouts)
                    .build())
            .disableAutomaticRetries() // a retried POST would count events twice
            .disableCookieManagement()
            .disableRedirectHandling()
            .disableContentCompression()
            .build();
  }

  Response get(String url) {
    return send(new HttpGet(url));
  }

  Response postJson(String url, byte[] body) {
    HttpPost post = new HttpPost(url);
    post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
    return send(post);
  }

  private Response send(HttpUriRequestBase request) {
    request.setHeader("Authorization", authorization);
    try {
      return client.execute(
          request,
          r ->
              new Response(
                  r.getCode(),
                  r.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(r.getEntity())));
    } catch (IOException e) {
      return new Response(-1, e.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (IOException ignored) {
      // closing idle connections of a finished run
    }
  }
}
