package dev.vellum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Acknowledgement-to-searchable latency, measured during a load: every {@code period} the probe
 * sends one event carrying a word no other event has (in {@code metadata.probe}), and from the
 * moment the server acknowledges it, searches for that word until the event is in the answer. The
 * time from the acknowledgement to the answer that holds it is one sample, so the number includes
 * what a user waits for — the index's refresh and the search's own wait for its tenant's writes —
 * and nothing is assumed from the server's metrics.
 */
final class VisibilityProbe implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration GIVE_UP = Duration.ofSeconds(60);

  private final String baseUrl;
  private final ObjectNode sample;
  private final Duration period;
  private final BenchHttp http;
  private final Histogram visible = Latencies.histogram();
  private final Thread thread;
  private volatile boolean stopped;
  private long notAcknowledged;
  private long neverFound;

  /**
   * {@code sample}: a valid event for the load's source; the probe replaces id, time and marker.
   */
  VisibilityProbe(String baseUrl, String key, ObjectNode sample, Duration period) {
    this.baseUrl = baseUrl;
    this.sample = sample.deepCopy();
    this.period = period;
    this.http = new BenchHttp(key, 1);
    this.thread = new Thread(this::run, "vellum-bench-visibility-probe");
    thread.setDaemon(true);
  }

  VisibilityProbe start() {
    thread.start();
    return this;
  }

  private void run() {
    while (!stopped) {
      long tick = System.nanoTime();
      probeOnce();
      long rest = period.toNanos() - (System.nanoTime() - tick);
      if (rest > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(rest);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void probeOnce() {
    String word = "probe" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    ObjectNode event = sample.deepCopy();
    Instant now = Instant.now();
    event.put("id", RequestPool.uuid7(now.toEpochMilli()).toString());
    event.put("occurred_at", now.toString());
    event.withObject("metadata").put("probe", word);
    BenchHttp.Response ack;
    try {
      ack = http.postJson(baseUrl + "/v1/events", JSON.writeValueAsBytes(event));
    } catch (IOException e) {
      throw new IllegalStateException("serialising a probe event", e);
    }
    long acknowledged = System.nanoTime();
    if (ack.status() != 200) {
      notAcknowledged++;
      return;
    }
    String url =
        baseUrl + "/v1/events?limit=1&q=" + URLEncoder.encode(word, StandardCharsets.UTF_8);
    while (System.nanoTime() - acknowledged < GIVE_UP.toNanos()) {
      if (found(http.get(url))) {
        visible.recordValue(Math.max(1, (System.nanoTime() - acknowledged) / 1_000));
        return;
      }
      if (stopped) {
        return;
      }
    }
    neverFound++;
  }

  private static boolean found(BenchHttp.Response r) {
    if (r.status() != 200) {
      return false;
    }
    try {
      JsonNode page = JSON.readTree(r.body());
      return page.path("events").size() > 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops probing (a probe in flight finishes first) and reports what was measured. */
  ObjectNode stop() {
    stopped = true;
    try {
      thread.join(GIVE_UP.toMillis() + 5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("probes", visible.getTotalCount());
    o.put("period_ms", period.toMillis());
    Latencies.json(o, visible, 50, 90, 99);
    o.put("not_acknowledged", notAcknowledged);
    o.put("not_found", neverFound);
    o.put("give_up_s", GIVE_UP.toSeconds());
    return o;
  }

  @Override
  public void close() {
    stopped = true;
    http.close();
  }
}
