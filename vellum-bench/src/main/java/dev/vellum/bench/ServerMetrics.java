package dev.vellum.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;
import org.jspecify.annotations.Nullable;

/**
 * Reads the node's Prometheus endpoint: the sequencer's commit counters, so a run can say how many
 * events the server actually put in each commit (group commit merges requests), and feed consumers'
 * lag.
 */
final class ServerMetrics {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Committed batches and the events in them, or null when /metrics is not readable. */
  record Commits(double batches, double events) {}

  private ServerMetrics() {}

  /** The commits of every node summed; null when one node's /metrics is not readable. */
  static @Nullable Commits commits(java.util.List<String> baseUrls) {
    double batches = 0;
    double events = 0;
    for (String u : baseUrls) {
      Commits c = commits(u);
      if (c == null) {
        return null;
      }
      batches += c.batches();
      events += c.events();
    }
    return new Commits(batches, events);
  }

  static @Nullable Commits commits(String baseUrl) {
    String text = scrape(baseUrl);
    if (text == null) {
      return null;
    }
    OptionalDouble count = value(text, "vellum_sequencer_batch_events_count");
    OptionalDouble sum = value(text, "vellum_sequencer_batch_events_sum");
    return count.isPresent() && sum.isPresent()
        ? new Commits(count.getAsDouble(), sum.getAsDouble())
        : null;
  }

  /** The named feed consumer's lag in events, empty when /metrics is not readable or lacks it. */
  static OptionalDouble consumerLag(String baseUrl, String consumer) {
    String text = scrape(baseUrl);
    return text == null
        ? OptionalDouble.empty()
        : value(text, "vellum_feed_consumer_lag_events{consumer=\"" + consumer + "\"");
  }

  private static @Nullable String scrape(String baseUrl) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (java.io.IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * The value of the first sample whose line starts with {@code name}: a metric name, or a name
   * with the start of its labels, such as <code>lag{consumer="rules"</code>, without the closing
   * brace.
   */
  private static OptionalDouble value(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name)
          && line.length() > name.length()
          && " {,}".indexOf(line.charAt(name.length())) >= 0) {
        String[] parts = line.trim().split("\\s+");
        try {
          return OptionalDouble.of(Double.parseDouble(parts[parts.length - 1]));
        } catch (NumberFormatException e) {
          return OptionalDouble.empty();
        }
      }
    }
    return OptionalDouble.empty();
  }
}
