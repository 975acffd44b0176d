package dev.vellum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.archive.ArchiveRecords;
import dev.vellum.archive.ArchiveService;
import dev.vellum.config.VellumConfig;
import dev.vellum.core.sample.SampleEvents;
import dev.vellum.search.lucene.LuceneSearchIndex;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.RecordStore;
import dev.vellum.store.StoredCheckpoint;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteEventStore;
import dev.vellum.store.sqlite.SqliteRecordStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vellum bench archive}: generated events through the real archiver (the feed consumer the
 * server runs, its DuckDB Parquet writer, the directory object store with its verified puts and the
 * records in SQLite), as fast as it takes them. The events are handed to the archiver's {@code
 * accept} in feed batches, so the time is buffering, grouping, Parquet, SHA-256, upload and
 * records; not the feed's reads from the store. The checkpoint the manifests name is a placeholder
 * (no log runs here): this measures sealing, not signing.
 */
@Command(
    name = "archive",
    mixinStandardHelpOptions = true,
    description =
        "Seal generated events through the real archiver into a directory store; report"
            + " events/s and ms per file.")
final class ArchiveCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TENANT = "bench";
  private static final int DISTINCT_BODIES = 20_000;
  private static final int FEED_BATCH = 1_000;

  @Spec CommandSpec spec;

  @Option(names = "--events", defaultValue = "200000", description = "events (default 200000)")
  long events;

  @Option(
      names = "--days",
      defaultValue = "1",
      description = "days the events' occurred_at spans, ending now (default 1: live traffic)")
  int days;

  @Option(
      names = "--buffer-mib",
      defaultValue = "64",
      description = "archive.buffer_bytes in MiB (default 64, the server's default)")
  int bufferMib;

  @Option(names = "--dir", description = "data directory (default: a new temporary one)")
  @Nullable Path dir;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Path data = dir != null ? dir : Files.createTempDirectory("vellum-bench-archive");
    List<JsonNode> parsed = new ArrayList<>(DISTINCT_BODIES);
    List<String> bodies = new ArrayList<>(DISTINCT_BODIES);
    SampleEvents samples = new SampleEvents(7);
    Instant base = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < DISTINCT_BODIES; i++) {
      ObjectNode e = samples.next(base, "DEMO_APP");
      parsed.add(e);
      bodies.add(e.toString());
    }
    VellumConfig config =
        VellumConfig.defaults()
            .withDataDir(data)
            .withArchive(
                VellumConfig.Archive.defaults()
                    .withBuffer((long) bufferMib << 20, Duration.ofHours(1)));
    long spanMicros = Math.max(1, days) * 86_400_000_000L - 1;
    long endMicros = Instant.now().toEpochMilli() * 1000;
    long startMicros = endMicros - spanMicros;
    long bodyChars = 0;
    long started;
    long sealed;
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (SqliteDatabase db = SqliteDatabase.open(data.resolve("store"));
        SqliteEventStore store = new SqliteEventStore(db);
        // hot retention's index: never used here (no retention lease, so the job never runs)
        LuceneSearchIndex index = LuceneSearchIndex.open(data.resolve("search-index"), store)) {
      RecordStore records = SqliteRecordStore.open(db);
      try (ArchiveService archive =
          ArchiveService.open(
              config,
              records,
              (tenant, size, timeout) ->
                  Optional.of(new StoredCheckpoint(size, new byte[32], "bench\n" + size + "\n", 0)),
              new ArchiveService.Hot(store, index, List::of),
              null,
              Clock.systemUTC(),
              metrics)) {
        FeedConsumer archiver = archive.archiver();
        long position = archiver.resumeFrom(0);
        started = System.nanoTime();
        List<FeedEvent> batch = new ArrayList<>(FEED_BATCH);
        for (long seq = 0; seq < events; seq++) {
          int k = (int) (seq % DISTINCT_BODIES);
          long occurred = startMicros + (long) ((double) seq / events * spanMicros);
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
          bodyChars += body.length();
          NewEvent e = IndexCommand.newEvent(parsed.get(k), seq, id, occurred, body);
          batch.add(new FeedEvent(++position, e));
          if (batch.size() == FEED_BATCH || seq == events - 1) {
            archiver.accept(batch);
            batch = new ArrayList<>(FEED_BATCH);
          }
        }
        archive.sealNow();
        sealed = System.nanoTime() - started;
      }
      if (ArchiveRecords.archivedThroughSeq(records, TENANT) != events - 1) {
        throw new IllegalStateException("not every event was archived");
      }
    }
    double files = metrics.counter("vellum.archive.files.sealed").count();
    double seconds = sealed / 1e9;
    long bytes = archiveBytes(data.resolve("archive"));
    ObjectNode report = JSON.createObjectNode();
    report.put("benchmark", "archive");
    report.put("events", events);
    report.put("days", days);
    report.put("buffer_mib", bufferMib);
    report.put("files", (long) files);
    report.put("seconds", Math.round(seconds * 100) / 100.0);
    report.put("events_per_second", Math.round(events / seconds));
    report.put("ms_per_file", Math.round(sealed / 1e6 / Math.max(1, files) * 10) / 10.0);
    report.put("raw_json_bytes_per_event", Math.round(bodyChars * 10.0 / events) / 10.0);
    report.put("parquet_bytes_per_event", Math.round(bytes * 10.0 / events) / 10.0);
    err.printf(
        Locale.ROOT,
        "vellum bench archive: %d events in %.1f s, %d files%n",
        events,
        seconds,
        (long) files);
    err.flush();
    PrintWriter out = spec.commandLine().getOut();
    out.println(report.toPrettyString());
    out.flush();
    return 0;
  }

  private static long archiveBytes(Path root) throws java.io.IOException {
    try (var files = Files.walk(root)) {
      return files
          .filter(p -> p.toString().endsWith(".parquet"))
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .sum();
    }
  }
}
