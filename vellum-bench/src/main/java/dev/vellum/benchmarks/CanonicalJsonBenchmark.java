package dev.vellum.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.json.CanonicalJson;
import dev.vellum.core.merkle.Rfc6962;
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

/** RFC 8785 canonicalisation of one event, and the RFC 6962 leaf hash of its canonical bytes. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CanonicalJsonBenchmark {
  @Param({"1024"})
  int eventBytes;

  private List<ObjectNode> events;
  private byte[][] canonical;
  private int i;

  @Setup
  public void setUp() {
    events = Events.nodes(eventBytes);
    canonical = new byte[events.size()][];
    for (int k = 0; k < events.size(); k++) {
      canonical[k] = CanonicalJson.canonicalize(events.get(k));
    }
  }

  @Benchmark
  public byte[] canonicalize() {
    return CanonicalJson.canonicalize(events.get(i++ & (Events.COUNT - 1)));
  }

  @Benchmark
  public byte[] leafHash() {
    return Rfc6962.leafHash(canonical[i++ & (Events.COUNT - 1)]);
  }

  @Benchmark
  public byte[] canonicalizeAndHash() {
    return Rfc6962.leafHash(CanonicalJson.canonicalize(events.get(i++ & (Events.COUNT - 1))));
  }
}
