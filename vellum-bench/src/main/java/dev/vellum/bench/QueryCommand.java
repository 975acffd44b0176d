package dev.vellum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vellum bench query}: a mix of GET /v1/events searches — actor + time range, target + time
 * range, full text, one type — and 30 days of daily stats by type, with values sampled from the
 * stored events, reporting latency percentiles per kind.
 */
@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description =
        "Run a mix of GET /v1/events searches (actor + time range, target + time range,"
            + " full text, type) and 30-day stats by type, and report p50/p95/p99 per kind.")
final class QueryCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> KINDS = List.of("actor", "target", "text", "type", "stats_30d");

  @Spec CommandSpec spec;

  @Mixin TargetOptions node = new TargetOptions();

  private @Nullable BenchHttp http;

  @Option(
      names = "--preload",
      defaultValue = "0",
      description = "first ingest this many ~1 KiB events (batch 500, 4 clients)")
  long preload;

  @Option(
      names = "--duration",
      converter = Durations.class,
      defaultValue = "30s",
      description = "how long to query (default ${DEFAULT-VALUE}) unless --requests")
  Duration duration;

  @Option(names = "--requests", defaultValue = "0", description = "total queries to send")
  long requests;

  @Option(names = "--concurrency", defaultValue = "4", description = "concurrent clients")
  int concurrency;

  @Option(
      names = "--window",
      converter = Durations.class,
      defaultValue = "24h",
      description = "length of the time range of actor and target queries (default 24h)")
  Duration window;

  @Option(names = "--limit", defaultValue = "100", description = "page size (default 100)")
  int limit;

  @Option(
      names = "--kinds",
      split = ",",
      defaultValue = "actor,target,text,type",
      description =
          "kinds of query to mix, of actor, target, text, type, stats_30d (default"
              + " ${DEFAULT-VALUE}; a 30-day stats query costs more than a page, so it is measured"
              + " on its own)")
  List<String> kinds;

  @Option(
      names = "--sample-source",
      description =
          "source whose events give the query values when the newest events are the server's"
              + " own (records of earlier queries); default: DEMO_APP, what bench ingest sends")
  String sampleSource = "DEMO_APP";

  @Option(names = "--json", description = "print one JSON object instead of text")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (kinds.isEmpty() || !KINDS.containsAll(kinds)) {
      err.println("vellum bench: --kinds takes a list of " + String.join(", ", KINDS));
      return IngestCommand.EXIT_USAGE;
    }
    Target target;
    try {
      target = node.open();
    } catch (IllegalArgumentException e) {
      err.println("vellum bench: " + e.getMessage());
      return IngestCommand.EXIT_USAGE;
    }
    ObjectNode report;
    try (target;
        BenchHttp client = new BenchHttp(target.key, concurrency)) {
      http = client;
      if (preload > 0) {
        RequestPool pool =
            RequestPool.generate(7, 500, 1024, "DEMO_APP", 32L << 20, (preload + 499) / 500);
        IngestLoad.Result r =
            IngestLoad.run(
                new IngestLoad.Plan(
                    target.baseUrl, target.key, pool, (preload + 499) / 500, null, 4, 0));
        err.printf(
            Locale.ROOT,
            "vellum bench: preloaded %d events at %.0f events/s%n",
            r.eventsAccepted(),
            r.eventsPerSecond());
      }
      Values values = sample(target);
      if (values.actors.isEmpty()) {
        err.println("vellum bench: no events stored; ingest some first (or use --preload)");
        return IngestCommand.EXIT_FAILED;
      }
      report = run(target, values);
    } catch (IOException e) {
      err.println("vellum bench: " + e.getMessage());
      return IngestCommand.EXIT_FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return IngestCommand.EXIT_FAILED;
    }
    out.print(json ? report.toString() + "\n" : text(report));
    out.flush();
    return 0;
  }

  /** Query values taken from stored events, so that every query can match something. */
  private static final class Values {
    final List<String> actors = new ArrayList<>();
    final List<String[]> targets = new ArrayList<>();
    final List<String> words = new ArrayList<>();
    final List<String> types = new ArrayList<>();
    long stored = -1;
  }

  private Values sample(Target target) throws IOException, InterruptedException {
    Values v = new Values();
    JsonNode page = clientEvents(target);
    Set<String> actors = new LinkedHashSet<>();
    Set<String> targets = new LinkedHashSet<>();
    Set<String> words = new LinkedHashSet<>();
    Set<String> types = new LinkedHashSet<>();
    for (JsonNode e : page.path("events")) {
      if ("VELLUM".equals(e.path("source").asText())) {
        continue;
      }
      actors.add(e.path("actor").path("id").asText());
      types.add(e.path("type").asText());
      for (JsonNode t : e.path("targets")) {
        targets.add(t.path("type").asText() + "\u0000" + t.path("id").asText());
      }
      for (String w : e.path("actor").path("name").asText("").split("\\s+")) {
        if (w.length() >= 4) {
          words.add(w);
        }
      }
    }
    actors.remove("");
    v.actors.addAll(actors);
    targets.forEach(t -> v.targets.add(t.split("\u0000", 2)));
    v.words.addAll(words);
    v.types.addAll(types);
    if (v.words.isEmpty()) {
      v.words.add("login");
    }
    try {
      Instant now = Instant.now();
      JsonNode stats =
          get(
              target,
              "/v1/events/stats?interval=1d&from="
                  + enc(now.minus(Duration.ofDays(30)).toString())
                  + "&to="
                  + enc(now.toString()));
      v.stored = stats.path("total").asLong(-1);
    } catch (IOException e) {
      v.stored = -1;
    }
    return v;
  }

  /**
   * The newest page that holds events clients sent: the server's own access records (source VELLUM)
   * of an earlier query run are newer than everything else, so skip pages of only those.
   */
  private JsonNode clientEvents(Target target) throws IOException, InterruptedException {
    JsonNode page = get(target, "/v1/events?limit=1000");
    for (int skipped = 0; skipped < 3; skipped++) {
      for (JsonNode e : page.path("events")) {
        if (!"VELLUM".equals(e.path("source").asText())) {
          return page;
        }
      }
      String next = page.path("next_cursor").asText("");
      if (next.isEmpty()) {
        return page;
      }
      page = get(target, "/v1/events?limit=1000&cursor=" + enc(next));
    }
    // the newest events are the server's records of earlier bench queries (source VELLUM)
    return get(target, "/v1/events?limit=1000&source=" + enc(sampleSource));
  }

  private JsonNode get(Target target, String path) throws IOException {
    BenchHttp.Response r = Objects.requireNonNull(http, "set by call()").get(target.baseUrl + path);
    if (r.status() != 200) {
      throw new IOException("GET " + path + " answered " + r.status() + ": " + r.text());
    }
    return JSON.readTree(r.body());
  }

  private String query(String kind, Values v, ThreadLocalRandom rnd) {
    Instant now = Instant.now();
    String range = "&from=" + enc(now.minus(window).toString()) + "&to=" + enc(now.toString());
    return switch (kind) {
      case "actor" ->
          "/v1/events?limit="
              + limit
              + "&actor_id="
              + enc(v.actors.get(rnd.nextInt(v.actors.size())))
              + range;
      case "target" -> {
        if (v.targets.isEmpty()) {
          yield query("actor", v, rnd);
        }
        String[] t = v.targets.get(rnd.nextInt(v.targets.size()));
        yield "/v1/events?limit="
            + limit
            + "&target_type="
            + enc(t[0])
            + "&target_id="
            + enc(t[1])
            + range;
      }
      case "type" ->
          "/v1/events?limit=" + limit + "&type=" + enc(v.types.get(rnd.nextInt(v.types.size())));
      case "stats_30d" ->
          "/v1/events/stats?interval=1d&group_by=type&from="
              + enc(now.minus(Duration.ofDays(30)).toString())
              + "&to="
              + enc(now.toString());
      default ->
          "/v1/events?limit=" + limit + "&q=" + enc(v.words.get(rnd.nextInt(v.words.size())));
    };
  }

  private ObjectNode run(Target target, Values values) {
    Map<String, List<Histogram>> perKind = new ConcurrentHashMap<>();
    Map<String, LongAdder> rows = new ConcurrentHashMap<>();
    Map<String, LongAdder> parsed = new ConcurrentHashMap<>();
    Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    long start = System.nanoTime();
    long deadline = requests > 0 ? Long.MAX_VALUE : start + duration.toNanos();
    ClosedLoop.run(
        "vellum-bench-query",
        concurrency,
        requests,
        deadline,
        c -> {
          Map<String, Histogram> mine = new TreeMap<>();
          for (String k : kinds) {
            Histogram h = Latencies.histogram();
            mine.put(k, h);
            perKind
                .computeIfAbsent(k, x -> java.util.Collections.synchronizedList(new ArrayList<>()))
                .add(h);
          }
          return n -> {
            String kind = kinds.get((int) (n % kinds.size()));
            String url = target.baseUrl + query(kind, values, ThreadLocalRandom.current());
            long t0 = System.nanoTime();
            BenchHttp.Response r = Objects.requireNonNull(http, "set by call()").get(url);
            Objects.requireNonNull(mine.get(kind), "one histogram per kind")
                .recordValue((System.nanoTime() - t0) / 1000);
            statuses.computeIfAbsent(r.status(), s -> new LongAdder()).increment();
            if (r.status() == 200 && (n / kinds.size()) % 4 == 0) { // every 4th round of kinds
              try {
                rows.computeIfAbsent(kind, k -> new LongAdder())
                    .add(
                        JSON.readTree(r.body())
                            .path(kind.equals("stats_30d") ? "buckets" : "events")
                            .size());
                parsed.computeIfAbsent(kind, k -> new LongAdder()).increment();
              } catch (IOException e) {
                // counted under its status already; rows are only informative
              }
            }
            return true;
          };
        });
    double seconds = (System.nanoTime() - start) / 1e9;
    ObjectNode o = JSON.createObjectNode();
    o.put("benchmark", "query");
    o.put("date", Instant.now().toString());
    o.put("url", target.inProcess() ? "in-process node" : target.baseUrl);
    o.put("stored_events_30d", values.stored);
    o.put("concurrency", concurrency);
    o.put("window_h", window.toMinutes() / 60.0);
    o.put("limit", limit);
    o.put("seconds", Latencies.round(seconds));
    long total = 0;
    ObjectNode perKindJson = o.putObject("kinds");
    for (String k : kinds) {
      Histogram h = Latencies.histogram();
      Objects.requireNonNull(perKind.get(k), "every worker adds every kind").forEach(h::add);
      total += h.getTotalCount();
      ObjectNode kj = perKindJson.putObject(k);
      kj.put("queries", h.getTotalCount());
      Latencies.json(kj, h, 50, 95, 99);
      long p = parsed.containsKey(k) ? parsed.get(k).sum() : 0;
      // a kind is counted in parsed only after its rows
      kj.put(
          "mean_rows",
          p == 0 ? 0 : Latencies.round((double) Objects.requireNonNull(rows.get(k)).sum() / p));
    }
    o.put("queries", total);
    o.put("queries_per_s", Latencies.round(total / seconds));
    ObjectNode st = o.putObject("statuses");
    new TreeMap<>(statuses).forEach((k, v) -> st.put(k == -1 ? "io_error" : k.toString(), v.sum()));
    return o;
  }

  static String text(ObjectNode o) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "query: %d queries in %.1f s (%.1f/s), %d clients, %d stored events, %s%n",
            o.get("queries").asLong(),
            o.get("seconds").asDouble(),
            o.get("queries_per_s").asDouble(),
            o.get("concurrency").asInt(),
            o.get("stored_events_30d").asLong(),
            o.get("url").asText()));
    o.get("kinds")
        .properties()
        .forEach(
            e ->
                sb.append(
                    String.format(
                        Locale.ROOT,
                        "  %-7s n=%-6d p50 %7.2f  p95 %7.2f  p99 %7.2f  max %7.2f ms  (%.0f rows/page)%n",
                        e.getKey(),
                        e.getValue().get("queries").asLong(),
                        e.getValue().get("p50_ms").asDouble(),
                        e.getValue().get("p95_ms").asDouble(),
                        e.getValue().get("p99_ms").asDouble(),
                        e.getValue().get("max_ms").asDouble(),
                        e.getValue().get("mean_rows").asDouble())));
    sb.append("  statuses ").append(o.get("statuses")).append('\n');
    return sb.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
