package dev.vellum.notify;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * POSTs JSON to webhook and chat targets. The client's DNS resolver is the {@link AddressGuard}, so
 * the connection goes to exactly the addresses the guard checked; redirects are not followed (a 3xx
 * is an answer like any other), no proxy or cookie is used, the connect and the whole exchange are
 * bounded in time, and at most {@link #MAX_BODY} bytes of the answer are read.
 */
final class HttpPoster implements AutoCloseable {
  static final int MAX_BODY = 4096;

  /** The target's answer: status, its {@code Retry-After} if any, and the start of its body. */
  record Answer(int status, @Nullable Duration retryAfter, String body) {}

  private final CloseableHttpClient client;
  private final ScheduledExecutorService timer;
  private final Duration total;

  HttpPoster(
      AddressGuard guard,
      Duration connectTimeout,
      Duration total,
      int maxConnections,
      int maxPerRoute,
      ScheduledExecutorService timer) {
    this.timer = timer;
    this.total = total;
    DnsResolver resolver =
        new DnsResolver() {
          @Override
          public InetAddress[] resolve(String host) throws UnknownHostException {
            return guard.resolve(host);
          }

          @Override
          public String resolveCanonicalHostname(String host) {
            return host;
          }
        };
    this.client =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setDnsResolver(resolver)
                    .setMaxConnTotal(maxConnections)
                    .setMaxConnPerRoute(maxPerRoute)
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.of(connectTimeout))
                            .setSocketTimeout(Timeout.of(total))
                            .setTimeToLive(Timeout.ofMinutes(1))
                            .build())
                    .build())
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setRedirectsEnabled(false)
                    .setResponseTimeout(Timeout.of(total))
                    .setConnectionRequestTimeout(Timeout.of(total))
                    .build())
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .disableAuthCaching()
            .setUserAgent("Vellum-Notify/1")
            .build();
  }

  /**
   * Sends {@code body}; throws {@link AddressGuard.Refused} when the target resolves to a refused
   * address, another {@link IOException} when no answer came (connection refused, timeout).
   */
  Answer post(URI url, Map<String, String> headers, byte[] body) throws IOException {
    HttpPost post = new HttpPost(url);
    headers.forEach(post::setHeader);
    post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
    // the socket timeout bounds each read; this bounds the whole exchange, trickling included
    ScheduledFuture<?> deadline =
        timer.schedule(() -> post.cancel(), total.toMillis(), TimeUnit.MILLISECONDS);
    try (ClassicHttpResponse r = client.executeOpen(null, post, null)) {
      return answer(r, post);
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      if (post.isCancelled()) {
        throw new InterruptedIOException("no answer within " + total.toMillis() + " ms");
      }
      throw e;
    } finally {
      deadline.cancel(false);
    }
  }

  private static Answer answer(ClassicHttpResponse r, HttpPost post) throws IOException {
    String text = "";
    HttpEntity entity = r.getEntity();
    if (entity != null) {
      InputStream in = entity.getContent();
      text = new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
      if (in.read() >= 0) {
        // more than we read: drop the connection instead of draining an unbounded body
        post.cancel();
      } else {
        in.close();
      }
    }
    Header retry = r.getFirstHeader("Retry-After");
    return new Answer(r.getCode(), retry == null ? null : retryAfter(retry.getValue()), text);
  }

  /** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; null when neither parses. */
  static @Nullable Duration retryAfter(String value) {
    String v = value.strip();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(Instant.now(), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }

  @Override
  public void close() throws IOException {
    client.close();
  }
}
