package dev.vellum.search.lucene;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.sample.SampleEvents;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a check (it runs only with {@code -Dvellum.measure=true}): the index bytes per
 * event that the stats doc values cost. 100,000 demo-generator events are indexed twice with the
 * index's own documents, sort and analyser, once without the sorted doc-values fields, each merged
 * to one segment so that merge timing does not blur the sizes. The times are noisy on a shared
 * machine; the sizes are deterministic. The numbers are in docs/benchmarks.md.
 */
@EnabledIfSystemProperty(named = "vellum.measure", matches = "true")
class StatsDocValuesSizeTest {
  private static final int EVENTS = 100_000;
  private static final String[] SOURCES = {"DEMO_APP", "BILLING", "HR", "PORTAL", "OPS"};

  @TempDir Path dir;

  @Test
  void statsDocValuesCostAFewBytesPerEvent() throws IOException {
    List<FeedEvent> events = events();
    // twice each, alternating, keeping the faster time: the first pass also warms the JIT up
    long[] without = index(events, dir.resolve("without-1"), false);
    long[] with = index(events, dir.resolve("with-1"), true);
    without[1] = Math.min(without[1], index(events, dir.resolve("without-2"), false)[1]);
    with[1] = Math.min(with[1], index(events, dir.resolve("with-2"), true)[1]);
    System.out.printf(
        Locale.ROOT,
        "%d events: without stats doc values %d bytes (%.2f per event, indexed in %d ms);"
            + " with them %d bytes (%.2f per event, %d ms): +%.2f bytes per event (+%.1f %%)%n",
        EVENTS,
        without[0],
        (double) without[0] / EVENTS,
        without[1],
        with[0],
        (double) with[0] / EVENTS,
        with[1],
        (double) (with[0] - without[0]) / EVENTS,
        100.0 * (with[0] - without[0]) / without[0]);
    assertTrue(with[0] > without[0]);
  }

  /** Bytes of the merged index and milliseconds spent building and adding the documents. */
  private static long[] index(List<FeedEvent> events, Path path, boolean statsValues)
      throws IOException {
    EventDocuments documents = new EventDocuments();
    long nanos;
    try (FSDirectory d = FSDirectory.open(path);
        IndexWriter w =
            new IndexWriter(
                d,
                new IndexWriterConfig(new WordAnalyzer())
                    .setIndexSort(LuceneQueries.NEWEST_FIRST)
                    .setRAMBufferSizeMB(32))) {
      long start = System.nanoTime();
      for (FeedEvent f : events) {
        Document doc = documents.of(f);
        if (!statsValues) {
          Document trimmed = new Document();
          for (IndexableField field : doc.getFields()) {
            if (field.fieldType().docValuesType() != DocValuesType.SORTED) {
              trimmed.add(field);
            }
          }
          doc = trimmed;
        }
        w.addDocument(doc);
      }
      w.commit();
      nanos = System.nanoTime() - start;
      w.forceMerge(1);
      w.commit();
    }
    long bytes = 0;
    try (Stream<Path> files = Files.list(path)) {
      for (Path f : files.toList()) {
        bytes += Files.size(f);
      }
    }
    return new long[] {bytes, nanos / 1_000_000};
  }

  private static List<FeedEvent> events() {
    SampleEvents generator = new SampleEvents(42);
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    List<FeedEvent> out = new ArrayList<>(EVENTS);
    for (int i = 0; i < EVENTS; i++) {
      Instant at = t0.plusSeconds(i * 3L);
      String source = SOURCES[i % SOURCES.length];
      ObjectNode e = generator.next(at, source);
      String type = e.path("type").asText();
      long micros = at.toEpochMilli() * 1000;
      out.add(
          new FeedEvent(
              i + 1,
              new NewEvent(
                  "default",
                  i,
                  UUID.randomUUID().toString(),
                  micros,
                  micros,
                  type,
                  type.split("_")[0].toLowerCase(Locale.ROOT),
                  source,
                  e.path("outcome").asText("success"),
                  e.path("severity").asText("info"),
                  e.path("actor").path("id").asText("unknown"),
                  e.path("actor").path("ip").asText(null),
                  null,
                  new byte[32],
                  e.toString())));
    }
    return out;
  }
}
