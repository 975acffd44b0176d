package dev.vellum.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vellum bench soak}: a long paced ingest run, reported window by window, to show drift in
 * latency and memory over time. Not run in CI.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description =
        "Ingest at a steady rate for a long time and report latency and server memory"
            + " per window, with the drift from the first window to the last.")
final class SoakCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Spec CommandSpec spec;

  @Mixin TargetOptions node = new TargetOptions();

  @Option(names = "--minutes", defaultValue = "30", description = "length of the run")
  int minutes;

  @Option(
      names = "--window",
      converter = Durations.class,
      defaultValue = "60s",
      description = "length of one reported window (default ${DEFAULT-VALUE})")
  Duration window;

  @Option(
      names = "--rate",
      defaultValue = "2500",
      description = "events/s to send; about half the measured maximum (default ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--batch", defaultValue = "100", description = "events per request")
  int batch;

  @Option(names = "--concurrency", defaultValue = "8", description = "concurrent clients")
  int concurrency;

  @Option(names = "--json", description = "print one JSON object at the end")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (minutes < 1 || rate <= 0 || batch < 1 || concurrency < 1) {
      err.println(
          "vellum bench soak: --minutes, --rate, --batch and --concurrency must be" + " positive");
      return IngestCommand.EXIT_USAGE;
    }
    try (Target target = node.open()) {
      RequestPool pool =
          RequestPool.generate(7, batch, 1024, "DEMO_APP", 64L << 20, Long.MAX_VALUE);
      ArrayNode windows = JSON.createArrayNode();
      long end = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
      for (int w = 1; System.nanoTime() < end; w++) {
        IngestLoad.Result r =
            IngestLoad.run(
                new IngestLoad.Plan(
                    target.baseUrl, target.key, pool, 0, window, concurrency, rate));
        ObjectNode row =
            windows
                .addObject()
                .put("window", w)
                .put("events_per_s", Math.round(r.eventsPerSecond()))
                .put("p50_ms", Latencies.ms(r.latency(), 50))
                .put("p99_ms", Latencies.ms(r.latency(), 99))
                .put("max_ms", Latencies.ms(r.latency(), 100))
                .put("errors", r.requestsSent() - r.requestsOk())
                .put(
                    "server_rss_mib",
                    metric(target.baseUrl, "vellum_process_resident_memory_bytes") / (1 << 20))
                .put(
                    "server_heap_mib",
                    metric(target.baseUrl, "jvm_memory_used_bytes{area=\"heap\"") / (1 << 20));
        if (!json) {
          out.println(
              String.format(
                  Locale.ROOT,
                  "window %3d  %6d ev/s  p50 %8.2f  p99 %8.2f"
                      + "  max %8.2f ms  errors %d  rss %d MiB  heap %d MiB",
                  w,
                  row.get("events_per_s").asLong(),
                  row.get("p50_ms").asDouble(),
                  row.get("p99_ms").asDouble(),
                  row.get("max_ms").asDouble(),
                  row.get("errors").asLong(),
                  row.get("server_rss_mib").asLong(),
                  row.get("server_heap_mib").asLong()));
          out.flush();
        }
      }
      ObjectNode summary = summarise(windows);
      out.println(json ? summary.toString() : "drift " + summary.get("drift"));
      return summary.get("errors").asLong() == 0 ? 0 : IngestCommand.EXIT_FAILED;
    }
  }

  private static ObjectNode summarise(ArrayNode windows) {
    ObjectNode summary = JSON.createObjectNode().put("benchmark", "soak");
    summary.set("windows", windows);
    long errors = 0;
    for (var w : windows) {
      errors += w.get("errors").asLong();
    }
    summary.put("errors", errors);
    if (!windows.isEmpty()) {
      var first = windows.get(0);
      var last = windows.get(windows.size() - 1);
      summary
          .putObject("drift")
          .put("p99_first_ms", first.get("p99_ms").asDouble())
          .put("p99_last_ms", last.get("p99_ms").asDouble())
          .put("rss_first_mib", first.get("server_rss_mib").asLong())
          .put("rss_last_mib", last.get("server_rss_mib").asLong());
    }
    return summary;
  }

  /** The value of the first /metrics line starting with {@code prefix}, or -1. */
  private static long metric(String baseUrl, String prefix) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      long total = -1;
      for (String line : r.body().split("\n")) {
        if (line.startsWith(prefix)) {
          String[] parts = line.trim().split("\\s+");
          total = Math.max(0, total) + (long) Double.parseDouble(parts[parts.length - 1]);
        }
      }
      return total;
    } catch (java.io.IOException | NumberFormatException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
