package dev.vellum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.sample.SampleEvents;
import dev.vellum.search.lucene.LuceneSearchIndex;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.WriteBatch;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteEventStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vellum bench index}: the search engine alone, without HTTP or the ingest path. Fills an
 * event store with generated events (not measured), then feeds them to a fresh Lucene index the way
 * the feed runner does and measures the rate, the process CPU per event and the index's bytes per
 * event; then runs searches on that index ({@link IndexQueries}). Load-independent numbers (CPU per
 * event, bytes) are what to compare between builds on a busy machine.
 */
@Command(
    name = "index",
    mixinStandardHelpOptions = true,
    description =
        "Index generated events straight into a Lucene search index (no HTTP): events/s, CPU"
            + " per event, index bytes per event, then search latency at that size.")
final class IndexCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TENANT = "bench";
  private static final int FEED_BATCH = 5_000;
  private static final int DISTINCT_BODIES = 20_000;

  @Spec CommandSpec spec;

  @Option(names = "--events", defaultValue = "1000000", description = "events (default 1000000)")
  long events;

  @Option(
      names = "--dir",
      description = "data directory to fill, or to reuse when it holds as many events already")
  @Nullable Path dir;

  @Option(
      names = "--query-seconds",
      defaultValue = "10",
      description = "seconds of searches after indexing per query kind (default 10; 0 = none)")
  int querySeconds;

  @Option(names = "--concurrency", defaultValue = "4", description = "search threads (default 4)")
  int concurrency;

  @Option(names = "--json", description = "print one JSON object instead of text")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Path data = dir != null ? dir : Files.createTempDirectory("vellum-bench-index");
    Files.createDirectories(data);
    ObjectNode report = JSON.createObjectNode();
    report.put("benchmark", "index");
    report.put("date", Instant.now().toString());
    report.put("events", events);
    IndexQueries.Values values;
    try (SqliteDatabase db = SqliteDatabase.open(data.resolve("store"));
        SqliteEventStore store = new SqliteEventStore(db)) {
      values = fill(store, err);
      Path indexDir = data.resolve("search-index-" + System.nanoTime());
      report.set("indexing", index(store, indexDir, err));
      if (querySeconds > 0) {
        try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir, store)) {
          report.set(
              "queries",
              new IndexQueries(index, TENANT, values, concurrency).run(querySeconds, err));
        }
      }
      Target.deleteTree(indexDir);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(json ? report.toString() : report.toPrettyString());
    out.flush();
    return 0;
  }

  /** Appends the generated events unless the store holds them; returns values to search for. */
  private IndexQueries.Values fill(SqliteEventStore store, PrintWriter err) {
    SampleEvents samples = new SampleEvents(11);
    List<String> bodies = new ArrayList<>(DISTINCT_BODIES);
    List<JsonNode> parsed = new ArrayList<>(DISTINCT_BODIES);
    Instant base = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < DISTINCT_BODIES; i++) {
      ObjectNode e = samples.next(base, "DEMO_APP", 1024);
      parsed.add(e);
      bodies.add(e.toString());
    }
    IndexQueries.Values values =
        IndexQueries.Values.of(parsed.subList(0, (int) Math.min(events, DISTINCT_BODIES)));
    long have = store.lastPosition();
    if (have >= events) {
      err.printf(Locale.ROOT, "vellum bench: the store holds %d events already%n", have);
      return values;
    }
    long started = System.nanoTime();
    // one event every 100 ms of generated time, ending now: 10 M events span 11.6 days
    long startMicros = Instant.now().toEpochMilli() * 1000 - events * 100_000;
    List<NewEvent> batch = new ArrayList<>(FEED_BATCH);
    for (long seq = have; seq < events; seq++) {
      int k = (int) (seq % DISTINCT_BODIES);
      JsonNode e = parsed.get(k);
      long occurred = startMicros + seq * 100_000;
      String id = RequestPool.uuid7(occurred / 1000).toString();
      String body =
          "{\"id\":\""
              + id
              + "\",\"seq\":"
              + seq
              + ",\"tenant\":\""
              + TENANT
              + "\","
              + bodies.get(k).substring(1);
      batch.add(newEvent(e, seq, id, occurred, body));
      if (batch.size() == FEED_BATCH || seq == events - 1) {
        store.append(WriteBatch.ofEvents(batch, List.of()));
        batch.clear();
      }
    }
    err.printf(
        Locale.ROOT,
        "vellum bench: stored %d events in %.1f s (not measured)%n",
        events - have,
        (System.nanoTime() - started) / 1e9);
    err.flush();
    return values;
  }

  private ObjectNode index(SqliteEventStore store, Path indexDir, PrintWriter err)
      throws IOException {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    long readNanos = 0;
    long position = 0;
    try (LuceneSearchIndex index = LuceneSearchIndex.open(indexDir, store)) {
      while (true) {
        long r0 = System.nanoTime();
        List<FeedEvent> feed = store.after(position, FEED_BATCH);
        readNanos += System.nanoTime() - r0;
        if (feed.isEmpty()) {
          break;
        }
        index.accept(feed);
        position = feed.get(feed.size() - 1).position();
        if (position % 1_000_000 < FEED_BATCH) {
          err.printf(Locale.ROOT, "vellum bench: indexed %d%n", position);
          err.flush();
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    long bytes = sizeOf(indexDir);
    ObjectNode o = JSON.createObjectNode();
    o.put("seconds", Latencies.round(seconds));
    o.put("events_per_s", Math.round(position / seconds));
    o.put("cpu_s", Latencies.round(cpu));
    o.put("cpu_us_per_event", Latencies.round(cpu * 1e6 / Math.max(1, position)));
    o.put("store_read_s", Latencies.round(readNanos / 1e9));
    o.put("index_bytes", bytes);
    o.put("index_bytes_per_event", Latencies.round((double) bytes / Math.max(1, position)));
    o.put("rss_mib_after", IndexQueries.rssMib());
    return o;
  }

  private static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(IndexCommand::size).sum();
    }
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A stored event of the bench tenant from a generated body {@code e}: the columns the engines
   * read, taken from the body as the ingest path would; the leaf hash is not computed.
   */
  static NewEvent newEvent(JsonNode e, long seq, String id, long occurredMicros, String body) {
    return new NewEvent(
        TENANT,
        seq,
        id,
        occurredMicros,
        occurredMicros,
        e.path("type").asText(),
        e.path("category").asText("general"),
        e.path("source").asText(),
        e.path("outcome").asText(),
        e.path("severity").asText(),
        e.path("actor").path("id").asText(),
        e.path("actor").path("ip").isTextual() ? e.path("actor").path("ip").asText() : null,
        e.path("session_id").isTextual() ? e.path("session_id").asText() : null,
        new byte[32],
        body);
  }
}
