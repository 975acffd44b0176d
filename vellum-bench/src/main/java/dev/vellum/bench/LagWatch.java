package dev.vellum.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalDouble;
import org.HdrHistogram.Histogram;

/**
 * Follows one feed consumer's lag on the node's /metrics during a load (every 250 ms, on its own
 * thread) and, once the load stops, how long the consumer takes to catch up: whether a consumer
 * keeps up at the measured rate, read from the node rather than assumed.
 */
final class LagWatch implements AutoCloseable {
  private static final long PERIOD_MS = 250;

  private final String baseUrl;
  private final String consumer;

  /** Written by the sampling thread only; read after it has ended. */
  private final Histogram samples = new Histogram(3);

  private final Thread thread;
  private volatile boolean running = true;
  private volatile double max;
  private volatile double last;

  LagWatch(String baseUrl, String consumer) {
    this.baseUrl = baseUrl;
    this.consumer = consumer;
    this.thread = new Thread(this::sample, "vellum-bench-lag-" + consumer);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void sample() {
    while (running) {
      OptionalDouble lag = ServerMetrics.consumerLag(baseUrl, consumer);
      if (lag.isPresent()) {
        last = lag.getAsDouble();
        max = Math.max(max, last);
        samples.recordValue((long) last);
      }
      try {
        Thread.sleep(PERIOD_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Stops sampling the load and waits (at most {@code maxWaitMs}) until the lag reads 0; the result
   * names the lag during the load (events: p50, p99, max) and the catch-up time, -1 if it did not
   * catch up in time.
   */
  ObjectNode finish(ObjectNode into, long maxWaitMs) throws InterruptedException {
    running = false;
    thread.join();
    long stopped = System.nanoTime();
    double catchUp = -1;
    while (System.nanoTime() - stopped < maxWaitMs * 1_000_000) {
      OptionalDouble lag = ServerMetrics.consumerLag(baseUrl, consumer);
      if (lag.isPresent() && lag.getAsDouble() == 0) {
        catchUp = (System.nanoTime() - stopped) / 1e9;
        break;
      }
      Thread.sleep(100);
    }
    into.put("consumer", consumer);
    into.put("samples", samples.getTotalCount());
    into.put("lag_p50_events", samples.getValueAtPercentile(50));
    into.put("lag_p99_events", samples.getValueAtPercentile(99));
    into.put("lag_max_events", Math.round(max));
    into.put("lag_at_stop_events", Math.round(last));
    into.put("catch_up_s", Latencies.round(catchUp));
    return into;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
