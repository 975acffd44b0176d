package dev.vellum.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import dev.vellum.core.catalog.BuiltInCatalog;
import dev.vellum.core.event.FieldError;
import dev.vellum.core.json.StrictJson;
import dev.vellum.ingest.EventNormalizer;
import dev.vellum.ingest.EventTypeCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * JSON Schema validation of one normalised ~1 KiB event of a catalogue type (mixed types): {@code
 * catalogue}, as ingest does it now (the compiled base schema, then networknt on the rest of the
 * type schema); {@code wholeSchemaNetworknt}, networknt on the whole type schema, as ingest did it
 * before; {@code baseSchemaOnly}, the compiled base schema alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SchemaValidationBenchmark {
  @Param({"1024"})
  int eventBytes;

  private final List<JsonNode> events = new ArrayList<>();
  private final List<EventTypeCatalog.TypeDef> defs = new ArrayList<>();
  private final List<Schema> wholeSchemas = new ArrayList<>();
  private int i;

  @Setup
  public void setUp() {
    EventTypeCatalog catalog = new EventTypeCatalog(Events.noTenantTypes(), StrictJson.mapper());
    EventNormalizer normalizer = new EventNormalizer(catalog, Duration.ofMinutes(5));
    SchemaRegistry registry = EventTypeCatalog.newSchemaRegistry();
    for (JsonNode raw : Events.nodes(eventBytes)) {
      EventNormalizer.Result r = normalizer.prepare("default", raw, Events.AT.plusSeconds(60));
      if (!r.ok()) {
        throw new IllegalStateException("sample event rejected: " + r.errors());
      }
      JsonNode event = Objects.requireNonNull(r.event(), "r.ok() means an event").content();
      String type = event.get("type").asText();
      Schema whole = registry.getSchema(BuiltInCatalog.schema(type));
      if (!whole.validate(event).isEmpty()) {
        throw new IllegalStateException("whole schema rejects " + event);
      }
      events.add(event);
      defs.add(catalog.find("default", type).orElseThrow());
      wholeSchemas.add(whole);
    }
  }

  @Benchmark
  public List<FieldError> catalogue() {
    int k = i++ & (Events.COUNT - 1);
    return EventTypeCatalog.validate(defs.get(k), events.get(k));
  }

  @Benchmark
  public Object wholeSchemaNetworknt() {
    int k = i++ & (Events.COUNT - 1);
    return wholeSchemas.get(k).validate(events.get(k));
  }

  @Benchmark
  public List<FieldError> baseSchemaOnly() {
    int k = i++ & (Events.COUNT - 1);
    return Objects.requireNonNull(defs.get(k).base(), "the sample types have a base part")
        .validate(events.get(k));
  }
}
