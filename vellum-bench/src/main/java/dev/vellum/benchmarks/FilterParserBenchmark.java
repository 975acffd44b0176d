package dev.vellum.benchmarks;

import dev.vellum.query.FilterParser;
import dev.vellum.search.SearchQuery;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Translating GET /v1/events query parameters into an {@link SearchQuery}. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FilterParserBenchmark {
  private final Map<String, List<String>> actorRange =
      Map.of(
          "actor_id",
          List.of("ana.silva@example.com"),
          "from",
          List.of("2026-01-01T00:00:00Z"),
          "to",
          List.of("2026-01-31T00:00:00.000Z"),
          "limit",
          List.of("100"));
  private final Map<String, List<String>> targetRange =
      Map.of(
          "target_type",
          List.of("document"),
          "target_id",
          List.of("doc-123456"),
          "from",
          List.of("2026-01-01T00:00:00Z"),
          "to",
          List.of("2026-01-31T00:00:00Z"),
          "type",
          List.of("DOCUMENT_VIEWED", "DOCUMENT_DOWNLOADED"));
  private final Map<String, List<String>> fullText =
      Map.of("q", List.of("silva invoice refund"), "order", List.of("desc"));

  @Benchmark
  public SearchQuery actorAndTimeRange() {
    return FilterParser.parse("default", actorRange);
  }

  @Benchmark
  public SearchQuery targetAndTimeRange() {
    return FilterParser.parse("default", targetRange);
  }

  @Benchmark
  public SearchQuery fullText() {
    return FilterParser.parse("default", fullText);
  }
}
