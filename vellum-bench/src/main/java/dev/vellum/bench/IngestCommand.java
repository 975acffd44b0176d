package dev.vellum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vellum bench ingest}: POST /v1/events load with latency percentiles and a baseline. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description =
        "Send realistic events over HTTP and report events/s, latency percentiles"
            + " (HdrHistogram) and errors by status; optionally compare with a raw storage baseline"
            + " in the same run.")
final class IngestCommand implements Callable<Integer> {
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Mixin TargetOptions node = new TargetOptions();

  @Option(names = "--events", description = "events to send (default 100000 unless --duration)")
  @Nullable Long events;

  @Option(
      names = "--duration",
      converter = Durations.class,
      description = "send for this long instead of a count, e.g. 60s")
  @Nullable Duration duration;

  @Option(
      names = "--warmup",
      converter = Durations.class,
      defaultValue = "0s",
      description = "send for this long first, not measured (default ${DEFAULT-VALUE})")
  Duration warmup;

  @Option(
      names = "--batch",
      defaultValue = "500",
      description = "events per request; 1 sends a single event object (default ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--concurrency",
      defaultValue = "8",
      description = "concurrent clients (default ${DEFAULT-VALUE})")
  int concurrency;

  @Option(
      names = "--event-bytes",
      defaultValue = "1024",
      description = "approximate JSON size of one event (default ${DEFAULT-VALUE})")
  int eventBytes;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description = "target events/s, paced; 0 = as fast as the server answers (default)")
  double rate;

  @Option(
      names = "--baseline",
      description = "also measure raw storage: raw-sqlite or raw-postgres (see --baseline-url)")
  @Nullable String baseline;

  @Option(
      names = "--baseline-url",
      defaultValue = RawPostgresBaseline.DEFAULT_URL,
      description =
          "JDBC URL of the PostgreSQL server for raw-postgres (default"
              + " ${DEFAULT-VALUE}); a fresh schema is created there and dropped afterwards")
  String baselineUrl;

  @Option(
      names = "--baseline-events",
      description = "rows for the baseline (default: the events accepted by Vellum)")
  @Nullable Long baselineEvents;

  @Option(
      names = "--source",
      defaultValue = "DEMO_APP",
      description = "registered source code to send as (default ${DEFAULT-VALUE})")
  String source;

  @Option(names = "--seed", defaultValue = "1", description = "sample generator seed")
  long seed;

  @Option(
      names = "--pool-mib",
      defaultValue = "64",
      description = "MiB of distinct request bodies generated up front (default ${DEFAULT-VALUE})")
  int poolMib;

  @Option(
      names = "--probe-visibility",
      description =
          "every 250 ms during the load, send one event with a unique word and time its"
              + " acknowledgement until a search finds it (ack-to-searchable latency)")
  boolean probeVisibility;

  @Option(
      names = "--spread",
      converter = Durations.class,
      defaultValue = "0s",
      description =
          "date each request's events back by up to this much (e.g. 30d), spread evenly, so"
              + " time-bucketed stats have a period to cover; 0 = the time of sending (default)")
  Duration spread;

  @Option(
      names = "--rules",
      defaultValue = "0",
      description =
          "first create this many rules (the set of bench rules) through the rules API (an admin"
              + " key), and watch the rules consumer's lag (default ${DEFAULT-VALUE})")
  int rules;

  @Option(
      names = "--watch-lag",
      split = ",",
      description =
          "feed consumers whose lag to sample from /metrics during the load, and whose catch-up"
              + " time to wait for afterwards (up to 10 min), e.g. rules,search-index")
  List<String> watchLag = new ArrayList<>();

  @Option(names = "--json", description = "print one JSON object instead of text")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (baseline != null && !baseline.equals("raw-sqlite") && !baseline.equals("raw-postgres")) {
      err.println(
          "vellum bench: --baseline "
              + baseline
              + " is not available; supported:"
              + " raw-sqlite, raw-postgres");
      return EXIT_USAGE;
    }
    if (batch < 1 || concurrency < 1 || eventBytes < 1 || (events != null && events < 1)) {
      err.println(
          "vellum bench: --batch, --concurrency, --event-bytes and --events must be"
              + " at least 1");
      return EXIT_USAGE;
    }
    if (events != null && duration != null) {
      err.println("vellum bench: give --events or --duration, not both");
      return EXIT_USAGE;
    }
    long requests = duration != null ? 0 : ceilDiv(events == null ? 100_000 : events, batch);
    ObjectNode report;
    Target target;
    try {
      target = node.open();
    } catch (IllegalArgumentException e) {
      err.println("vellum bench: " + e.getMessage());
      return EXIT_USAGE;
    }
    try (target) {
      report = measure(target, requests, err);
    }
    if (json) {
      out.println(report.toString());
    } else {
      out.print(text(report));
    }
    out.flush();
    return report.path("requests_ok").asLong() > 0 ? 0 : EXIT_FAILED;
  }

  private List<String> lagWatched() {
    List<String> out = new ArrayList<>(watchLag);
    if (rules > 0 && !out.contains("rules")) {
      out.add("rules");
    }
    return out;
  }

  /**
   * Creates the bench rules through the API, as a tenant's admin would; fails the run if refused.
   */
  private void createRules(Target target, PrintWriter err) {
    try (BenchHttp http = new BenchHttp(target.key, 1)) {
      for (ObjectNode rule : BenchRules.generate(rules, JSON)) {
        BenchHttp.Response r =
            http.postJson(target.baseUrl + "/v1/rules", JSON.writeValueAsBytes(rule));
        if (r.status() != 201 && r.status() != 200) {
          throw new IllegalStateException(
              "creating a bench rule failed: HTTP " + r.status() + " " + r.text());
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("creating the bench rules failed: " + e.getMessage(), e);
    }
    err.printf(Locale.ROOT, "vellum bench: created %d rules%n", rules);
    err.flush();
  }

  private ObjectNode measure(Target target, long requests, PrintWriter err) {
    long started = System.nanoTime();
    RequestPool generated =
        RequestPool.generate(
            seed,
            batch,
            eventBytes,
            source,
            (long) poolMib << 20,
            requests > 0 ? requests : Long.MAX_VALUE);
    RequestPool pool = spread.isZero() ? generated : generated.backdated(spread);
    err.printf(
        Locale.ROOT,
        "vellum bench: generated %d distinct requests (%d B each) in %.1f s%n",
        pool.size(),
        pool.averageRequestBytes(),
        (System.nanoTime() - started) / 1e9);
    err.flush();
    if (rules > 0) {
      createRules(target, err);
    }
    if (!warmup.isZero()) {
      IngestLoad.run(
          new IngestLoad.Plan(target.baseUrls, target.key, pool, 0, warmup, concurrency, rate));
    }
    ServerMetrics.Commits before = ServerMetrics.commits(target.baseUrls);
    @Nullable VisibilityProbe probe =
        probeVisibility
            ? new VisibilityProbe(
                    target.baseUrl, target.key, probeSample(pool), Duration.ofMillis(250))
                .start()
            : null;
    List<LagWatch> lagWatches = new ArrayList<>();
    for (String consumer : lagWatched()) {
      lagWatches.add(new LagWatch(target.baseUrl, consumer));
    }
    IngestLoad.Result r =
        IngestLoad.run(
            new IngestLoad.Plan(
                target.baseUrls, target.key, pool, requests, duration, concurrency, rate));
    @Nullable ObjectNode visibility = null;
    if (probe != null) {
      visibility = probe.stop();
      probe.close();
    }
    ServerMetrics.Commits after = ServerMetrics.commits(target.baseUrls);

    ObjectNode o = JSON.createObjectNode();
    o.put("benchmark", "ingest");
    o.put("date", Instant.now().toString());
    o.put("url", target.inProcess() ? "in-process node" : String.join(",", target.baseUrls));
    o.put("nodes", target.baseUrls.size());
    ObjectNode s = o.putObject("settings");
    s.put("batch", batch);
    s.put("concurrency", concurrency);
    s.put("event_bytes", eventBytes);
    s.put("request_bytes", pool.averageRequestBytes());
    s.put("rate", rate);
    s.put("warmup_s", warmup.toMillis() / 1000.0);
    if (node.searchControl != null) {
      s.put("search_control", node.searchControl); // the node discarded what search was handed
    }
    if (duration != null) {
      s.put("duration_s", duration.toMillis() / 1000.0);
    } else {
      s.put("requests", requests);
    }
    o.put("events", r.eventsAccepted());
    o.put("requests", r.requestsSent());
    o.put("requests_ok", r.requestsOk());
    o.put("seconds", Latencies.round(r.seconds()));
    o.put("events_per_s", Math.round(r.eventsPerSecond()));
    o.put("requests_per_s", Latencies.round(r.requestsPerSecond()));
    Latencies.json(o.putObject("latency"), r.latency(), 50, 90, 99, 99.9);
    if (visibility != null) {
      o.set("ack_to_searchable", visibility);
    }
    if (!lagWatches.isEmpty()) {
      ArrayNode lags = o.putArray("consumer_lag");
      for (LagWatch w : lagWatches) {
        try (w) {
          w.finish(lags.addObject(), 600_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (rules > 0) {
      s.put("rules", rules);
    }
    ObjectNode st = o.putObject("statuses");
    for (Map.Entry<Integer, Long> e : r.statuses().entrySet()) {
      st.put(e.getKey() == -1 ? "io_error" : String.valueOf(e.getKey()), e.getValue());
    }
    if (r.firstError() != null) {
      o.put(
          "first_error",
          r.firstError().length() > 500 ? r.firstError().substring(0, 500) : r.firstError());
    }
    if (before != null && after != null && after.batches() > before.batches()) {
      o.put("server_commits", Math.round(after.batches() - before.batches()));
      o.put(
          "server_events_per_commit",
          Math.round((after.events() - before.events()) / (after.batches() - before.batches())));
    }
    if (baseline != null) {
      long rows = baselineEvents != null ? baselineEvents : r.eventsAccepted();
      if (rows > 0) {
        err.printf(Locale.ROOT, "vellum bench: %s baseline, %d rows...%n", baseline, rows);
        err.flush();
        BaselineRows.Result b =
            baseline.equals("raw-postgres")
                ? RawPostgresBaseline.run(pool.events(), rows, batch, baselineUrl)
                : RawSqliteBaseline.run(pool.events(), rows, batch);
        ObjectNode bj = o.putObject("baseline");
        bj.put("kind", baseline);
        bj.put("rows", b.rows());
        bj.put("rows_stored", b.rowsStored());
        bj.put("batch", batch);
        bj.put("seconds", Latencies.round(b.seconds()));
        bj.put("rows_per_s", Math.round(b.rowsPerSecond()));
        bj.put("stored_bytes_per_row", b.rows() == 0 ? 0 : b.storedBytes() / b.rows());
        o.put("ratio", Math.round(r.eventsPerSecond() / b.rowsPerSecond() * 1000) / 1000.0);
      }
    }
    return o;
  }

  static String text(ObjectNode o) {
    ObjectNode s = (ObjectNode) o.get("settings");
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "ingest: %d events in %d requests (batch %d, ~%d B/event, %d clients) to %s%n",
            o.get("events").asLong(),
            o.get("requests").asLong(),
            s.get("batch").asInt(),
            s.get("event_bytes").asInt(),
            s.get("concurrency").asInt(),
            o.get("url").asText()));
    sb.append(String.format(Locale.ROOT, "  time          %.2f s%n", o.get("seconds").asDouble()));
    sb.append(String.format(Locale.ROOT, "  events/s      %d%n", o.get("events_per_s").asLong()));
    sb.append(
        String.format(Locale.ROOT, "  requests/s    %.1f%n", o.get("requests_per_s").asDouble()));
    ObjectNode l = (ObjectNode) o.get("latency");
    sb.append(
        String.format(
            Locale.ROOT,
            "  latency       p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms%n",
            l.get("p50_ms").asDouble(),
            l.get("p90_ms").asDouble(),
            l.get("p99_ms").asDouble(),
            l.get("p999_ms").asDouble(),
            l.get("max_ms").asDouble()));
    sb.append("  statuses      ").append(o.get("statuses").toString()).append('\n');
    if (o.has("ack_to_searchable")) {
      JsonNode v = o.get("ack_to_searchable");
      sb.append(
          String.format(
              Locale.ROOT,
              "  ack→searchable p50 %.2f  p90 %.2f  p99 %.2f  max %.2f ms (%d probes, %d not"
                  + " found)%n",
              v.get("p50_ms").asDouble(),
              v.get("p90_ms").asDouble(),
              v.get("p99_ms").asDouble(),
              v.get("max_ms").asDouble(),
              v.get("probes").asLong(),
              v.get("not_found").asLong()));
    }
    if (o.has("first_error")) {
      sb.append("  first error   ").append(o.get("first_error").asText()).append('\n');
    }
    if (o.has("server_events_per_commit")) {
      sb.append(
          String.format(
              Locale.ROOT,
              "  server        %d commits, %d events per commit%n",
              o.get("server_commits").asLong(),
              o.get("server_events_per_commit").asLong()));
    }
    if (o.has("baseline")) {
      ObjectNode b = (ObjectNode) o.get("baseline");
      sb.append(
          String.format(
              Locale.ROOT,
              "baseline %s: %d rows in %.2f s = %d rows/s (one commit per %d rows,"
                  + " %d stored bytes/row)%n",
              b.get("kind").asText(),
              b.get("rows").asLong(),
              b.get("seconds").asDouble(),
              b.get("rows_per_s").asLong(),
              b.get("batch").asInt(),
              b.get("stored_bytes_per_row").asLong()));
      sb.append(String.format(Locale.ROOT, "  Vellum/baseline  %.3f%n", o.get("ratio").asDouble()));
    }
    return sb.toString();
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /** One generated event with its placeholders, for the probe to fill in. */
  private static ObjectNode probeSample(RequestPool pool) {
    return pool.firstEvent();
  }
}
