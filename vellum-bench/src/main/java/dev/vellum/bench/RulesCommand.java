package dev.vellum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.sample.SampleEvents;
import dev.vellum.rules.RuleEngine;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.RecordStore;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteRecordStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The rules engine alone, as the feed drives it: {@code --rules} rules of one tenant (the built-in
 * pack's kinds of pattern, threshold, sequence and new-value rules, a tenth of them matching any
 * type) evaluated over {@code --events} generated ~1 KiB events handed over in feed batches of
 * 1,000. Rule state, snapshots and alert records go to a real SQLite record store in a temporary
 * directory; the ALERT_FIRED and derived events an alert records are counted, not committed (the
 * writer's cost is measured by {@code vellum bench ingest}).
 */
@Command(
    name = "rules",
    mixinStandardHelpOptions = true,
    description = "Measure rule evaluation: events per second through the rules engine.")
final class RulesCommand implements Callable<Integer> {
  private static final String TENANT = "bench";
  private static final int BATCH = 1000;
  private static final int DISTINCT_BODIES = 4096;

  @Spec CommandSpec spec;

  @Option(
      names = "--events",
      defaultValue = "300000",
      description = "events (default 300000; held in memory, ~1.5 KiB each)")
  long events;

  @Option(names = "--rules", defaultValue = "100", description = "rules (default 100)")
  int rules;

  @Option(
      names = "--snapshot-seconds",
      defaultValue = "5",
      description = "how often the engine snapshots its window state (default 5, as a node does)")
  int snapshotSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ObjectMapper json = new ObjectMapper();
    Path dir = Files.createTempDirectory("vellum-bench-rules");
    SqliteDatabase db = SqliteDatabase.open(dir);
    try {
      RecordStore records = SqliteRecordStore.open(db);
      writeRules(records, json);
      List<List<FeedEvent>> batches = batches();
      AtomicLong systemEvents = new AtomicLong();
      SimpleMeterRegistry metrics = new SimpleMeterRegistry();
      RuleEngine engine =
          new RuleEngine(
              records,
              (tenant, e) -> systemEvents.incrementAndGet(),
              json,
              Clock.systemUTC(),
              metrics,
              () -> 0L,
              List::of,
              Duration.ofHours(1),
              Duration.ofSeconds(snapshotSeconds));
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      // warm-up over the first tenth, not counted
      int warm = Math.max(1, batches.size() / 10);
      for (int i = 0; i < warm; i++) {
        engine.accept(batches.get(i));
      }
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      long n = 0;
      for (int i = warm; i < batches.size(); i++) {
        engine.accept(batches.get(i));
        n += batches.get(i).size();
      }
      long nanos = System.nanoTime() - t0;
      long cpu = os.getProcessCpuTime() - cpu0;
      engine.close();
      double evaluations = metrics.counter("vellum.rules.evaluations").count();
      out.printf(
          Locale.ROOT,
          "rules %d, events %d (after %d warm-up): %.0f events/s, %.1f µs/event, CPU %.2f cores,"
              + " %.2f rules tested per event after the type index, %.0f firings, %.0f alerts,"
              + " %d system events%n",
          rules,
          n,
          (long) warm * BATCH,
          n / (nanos / 1e9),
          nanos / 1e3 / n,
          (double) cpu / nanos,
          evaluations / (n + (long) warm * BATCH),
          metrics.counter("vellum.rules.matches").count(),
          metrics.counter("vellum.rules.alerts").count(),
          systemEvents.get());
      out.flush();
      return 0;
    } finally {
      db.close();
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The benchmark's rules ({@link BenchRules}), stored as the rules API would store them. */
  private void writeRules(RecordStore records, ObjectMapper json) throws Exception {
    String now = Instant.now().toString();
    List<ObjectNode> generated = BenchRules.generate(rules, json);
    for (int i = 0; i < generated.size(); i++) {
      ObjectNode rule = generated.get(i);
      rule.put("id", "r" + i);
      rule.put("created_at", now).put("updated_at", now).put("revision", 1);
      records.put(
          RecordStore.Entry.of("rule", TENANT, "r" + i, rule.toString(), 1),
          RecordStore.ANY_VERSION);
    }
  }

  private List<List<FeedEvent>> batches() {
    SampleEvents samples = new SampleEvents(11);
    List<JsonNode> parsed = new ArrayList<>();
    Instant base = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < DISTINCT_BODIES; i++) {
      parsed.add(samples.next(base.plusSeconds(i), "DEMO_APP", 1024));
    }
    List<List<FeedEvent>> out = new ArrayList<>();
    List<FeedEvent> batch = new ArrayList<>(BATCH);
    long startMicros = base.toEpochMilli() * 1000;
    for (long seq = 0; seq < events; seq++) {
      ObjectNode e = (ObjectNode) parsed.get((int) (seq % DISTINCT_BODIES)).deepCopy();
      long occurred = startMicros + seq * 1000;
      String id = RequestPool.uuid7(occurred / 1000).toString();
      e.put("id", id).put("seq", seq).put("tenant", TENANT);
      batch.add(new FeedEvent(seq + 1, IndexCommand.newEvent(e, seq, id, occurred, e.toString())));
      if (batch.size() == BATCH) {
        out.add(batch);
        batch = new ArrayList<>(BATCH);
      }
    }
    if (!batch.isEmpty()) {
      out.add(batch);
    }
    return out;
  }
}
