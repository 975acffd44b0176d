package dev.vellum.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * Closed-loop ingest load: {@code concurrency} threads each send one request, wait for the answer,
 * and send the next, until a request count or a deadline is reached. With a target rate the
 * requests are paced on a shared schedule and latency is measured from each request's scheduled
 * start, so a stalled server is not hidden by clients that stop sending (coordinated omission).
 */
final class IngestLoad {

  /**
   * What to send and how hard. {@code requests <= 0} means "until {@code duration}". With several
   * base URLs (nodes on one database) request {@code n} goes to node {@code n mod nodes}: the
   * batches are spread round-robin, as clients behind a load balancer would spread them.
   */
  record Plan(
      List<String> baseUrls,
      String key,
      RequestPool pool,
      long requests,
      @Nullable Duration duration,
      int concurrency,
      double eventsPerSecond) {
    Plan {
      if (baseUrls.isEmpty()) {
        throw new IllegalArgumentException("no node to send to");
      }
      baseUrls = List.copyOf(baseUrls);
    }

    /** One node. */
    Plan(
        String baseUrl,
        String key,
        RequestPool pool,
        long requests,
        @Nullable Duration duration,
        int concurrency,
        double eventsPerSecond) {
      this(List.of(baseUrl), key, pool, requests, duration, concurrency, eventsPerSecond);
    }
  }

  /** The outcome of one run. {@code statuses} counts answers by HTTP status; -1 = I/O error. */
  record Result(
      long eventsAccepted,
      long requestsSent,
      long requestsOk,
      double seconds,
      Histogram latency,
      Map<Integer, Long> statuses,
      String firstError) {
    double eventsPerSecond() {
      return seconds == 0 ? 0 : eventsAccepted / seconds;
    }

    double requestsPerSecond() {
      return seconds == 0 ? 0 : requestsSent / seconds;
    }
  }

  private IngestLoad() {}

  static Result run(Plan plan) {
    List<String> urls = new ArrayList<>();
    for (String base : plan.baseUrls()) {
      urls.add(base + "/v1/events");
    }
    try (BenchHttp http = new BenchHttp(plan.key(), plan.concurrency())) {
      return run(plan, urls, http);
    }
  }

  private static Result run(Plan plan, List<String> urls, BenchHttp http) {
    LongAdder accepted = new LongAdder();
    LongAdder ok = new LongAdder();
    Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    AtomicLong firstErrorSet = new AtomicLong();
    String[] firstError = new String[1];
    List<Histogram> histograms = new ArrayList<>();
    long start = System.nanoTime();
    long deadline =
        plan.requests() > 0
            ? Long.MAX_VALUE
            : start
                + Objects.requireNonNull(plan.duration(), "a plan of 0 requests has a duration")
                    .toNanos();
    double requestRate = plan.eventsPerSecond() / plan.pool().batch();
    long interval = requestRate > 0 ? (long) (1e9 / requestRate) : 0;
    ClosedLoop.run(
        "vellum-bench-client",
        plan.concurrency(),
        plan.requests(),
        deadline,
        c -> {
          Histogram h = Latencies.histogram();
          histograms.add(h);
          return n -> {
            long scheduled = interval > 0 ? start + n * interval : System.nanoTime();
            if (scheduled >= deadline) {
              return false;
            }
            long wait;
            while ((wait = scheduled - System.nanoTime()) > 0) {
              LockSupport.parkNanos(wait);
            }
            byte[] body = plan.pool().render(n, Instant.now());
            BenchHttp.Response r = http.postJson(urls.get((int) (n % urls.size())), body);
            int status = r.status();
            if (status != 200 && firstErrorSet.compareAndSet(0, 1)) {
              firstError[0] = status < 0 ? r.text() : "HTTP " + status + ": " + r.text();
            }
            h.recordValue(Math.max(0, (System.nanoTime() - scheduled) / 1000));
            statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
            if (status == 200) {
              ok.increment();
              accepted.add(plan.pool().batch());
            }
            return true;
          };
        });
    double seconds = (System.nanoTime() - start) / 1e9;
    Histogram all = Latencies.histogram();
    histograms.forEach(all::add);
    Map<Integer, Long> counts = new TreeMap<>();
    long sent = 0;
    for (Map.Entry<Integer, LongAdder> e : statuses.entrySet()) {
      counts.put(e.getKey(), e.getValue().sum());
      sent += e.getValue().sum();
    }
    return new Result(accepted.sum(), sent, ok.sum(), seconds, all, counts, firstError[0]);
  }
}
