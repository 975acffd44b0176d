package dev.vellum.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.core.json.StrictJson;
import dev.vellum.ingest.EventNormalizer;
import dev.vellum.ingest.EventTypeCatalog;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-event ingest work before the sequencer: JSON parse, then the server's normaliser (id, time,
 * defaults) and JSON Schema validation of the event's catalogue type.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IngestPathBenchmark {
  @Param({"1024"})
  int eventBytes;

  private ObjectMapper json;
  private EventNormalizer normalizer;
  private List<byte[]> events;
  private Instant now;
  private int i;

  @Setup
  public void setUp() {
    json = StrictJson.mapper();
    normalizer =
        new EventNormalizer(
            new EventTypeCatalog(Events.noTenantTypes(), json), Duration.ofMinutes(5));
    events = Events.bytes(eventBytes);
    now = Events.AT.plusSeconds(60);
    for (byte[] e : events) {
      EventNormalizer.Result r = normalizer.prepare("default", parse(e), now);
      if (!r.ok()) {
        throw new IllegalStateException("sample event rejected: " + r.errors());
      }
    }
  }

  private JsonNode parse(byte[] e) {
    try {
      return json.readTree(e);
    } catch (IOException ex) {
      throw new IllegalStateException(ex);
    }
  }

  @Benchmark
  public JsonNode parseOnly() {
    return parse(events.get(i++ & (Events.COUNT - 1)));
  }

  @Benchmark
  public EventNormalizer.Result parseNormaliseValidate() {
    return normalizer.prepare("default", parse(events.get(i++ & (Events.COUNT - 1))), now);
  }
}
