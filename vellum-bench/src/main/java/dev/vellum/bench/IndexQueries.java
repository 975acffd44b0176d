package dev.vellum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.search.SearchIndex;
import dev.vellum.search.SearchQuery;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * Searches straight on a {@link SearchIndex}, one kind at a time, from several threads: an actor
 * and a target over the last 24 hours, a full-text word, and one event type, each a page of 100
 * newest first (what the viewer asks). Latency includes reading the page's events from the store.
 */
final class IndexQueries {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long DAY_MICROS = 86_400_000_000L;
  static final List<String> KINDS = List.of("actor_24h", "target_24h", "text", "type");

  /** Values that occur in the generated events, so that every search can match something. */
  record Values(
      List<String> actors, List<String[]> targets, List<String> words, List<String> types) {
    static Values of(List<JsonNode> events) {
      Set<String> actors = new LinkedHashSet<>();
      Set<String> targets = new LinkedHashSet<>();
      Set<String> words = new LinkedHashSet<>();
      Set<String> types = new LinkedHashSet<>();
      for (JsonNode e : events) {
        actors.add(e.path("actor").path("id").asText());
        types.add(e.path("type").asText());
        for (JsonNode t : e.path("targets")) {
          targets.add(t.path("type").asText() + "\u0000" + t.path("id").asText());
        }
        for (String w : e.path("actor").path("name").asText("").split("[^\\p{L}]+")) {
          if (w.length() >= 4) {
            words.add(w.toLowerCase(Locale.ROOT));
          }
        }
      }
      actors.remove("");
      List<String[]> t = new ArrayList<>();
      targets.forEach(x -> t.add(x.split("\u0000", 2)));
      return new Values(List.copyOf(actors), t, List.copyOf(words), List.copyOf(types));
    }
  }

  private final SearchIndex index;
  private final String tenant;
  private final Values values;
  private final int threads;

  IndexQueries(SearchIndex index, String tenant, Values values, int threads) {
    this.index = index;
    this.tenant = tenant;
    this.values = values;
    this.threads = threads;
  }

  ObjectNode run(int seconds, PrintWriter err) throws InterruptedException {
    ObjectNode out = JSON.createObjectNode();
    out.put("threads", threads);
    out.put("seconds_per_kind", seconds);
    for (String kind : KINDS) {
      Histogram all = Latencies.histogram();
      AtomicLong rows = new AtomicLong();
      List<Thread> running = new ArrayList<>();
      List<Histogram> per = new ArrayList<>();
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      for (int i = 0; i < threads; i++) {
        Histogram h = Latencies.histogram();
        per.add(h);
        Thread t =
            new Thread(
                () -> {
                  ThreadLocalRandom r = ThreadLocalRandom.current();
                  while (System.nanoTime() < end) {
                    SearchQuery q = query(kind, r);
                    long t0 = System.nanoTime();
                    rows.addAndGet(index.search(q).size());
                    h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1_000));
                  }
                },
                "vellum-bench-search-" + i);
        t.start();
        running.add(t);
      }
      for (Thread t : running) {
        t.join();
      }
      per.forEach(all::add);
      ObjectNode k = Latencies.json(out.putObject(kind), all, 50, 95, 99);
      k.put("queries", all.getTotalCount());
      k.put("rows_per_query", all.getTotalCount() == 0 ? 0 : rows.get() / all.getTotalCount());
      err.printf(Locale.ROOT, "vellum bench: %s %s%n", kind, Latencies.text(all, 50, 95, 99));
      err.flush();
    }
    out.put("rss_mib", rssMib());
    return out;
  }

  private SearchQuery query(String kind, ThreadLocalRandom r) {
    long now = Instant.now().toEpochMilli() * 1000;
    @Nullable Long from = null;
    @Nullable Long to = null;
    String actor = null;
    String targetType = null;
    String targetId = null;
    List<String> types = null;
    SearchQuery.FullText text = null;
    switch (kind) {
      case "actor_24h" -> {
        actor = values.actors().get(r.nextInt(values.actors().size()));
        from = now - DAY_MICROS;
        to = now + 1;
      }
      case "target_24h" -> {
        String[] t = values.targets().get(r.nextInt(values.targets().size()));
        targetType = t[0];
        targetId = t[1];
        from = now - DAY_MICROS;
        to = now + 1;
      }
      case "text" ->
          text =
              new SearchQuery.FullText(
                  List.of(values.words().get(r.nextInt(values.words().size()))), false);
      default -> types = List.of(values.types().get(r.nextInt(values.types().size())));
    }
    return new SearchQuery(
        tenant,
        from,
        to,
        types,
        null,
        null,
        actor,
        null,
        targetType,
        targetId,
        null,
        null,
        null,
        null,
        text,
        false,
        100,
        null);
  }

  /** Resident memory of this process, from /proc (0 where there is none). */
  static double rssMib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }
}
