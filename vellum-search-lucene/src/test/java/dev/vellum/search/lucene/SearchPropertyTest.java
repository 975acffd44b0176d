package dev.vellum.search.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.search.SearchDocument;
import dev.vellum.search.SearchQuery;
import dev.vellum.search.StatsBucket;
import dev.vellum.search.StatsQuery;
import dev.vellum.store.NewEvent;
import dev.vellum.store.StoredEvent;
import dev.vellum.store.WriteBatch;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteEventStore;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random events and random filter combinations: the index answers exactly what a naive filter over
 * every stored event answers, in the same order, page by page. Seeded, so a failure names the seed
 * that reproduces it.
 */
class SearchPropertyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TENANTS = List.of("t1", "t2");
  private static final List<String> TYPES = List.of("USER_LOGIN", "DOC_READ", "ROLE_CHANGED");
  private static final List<String> OUTCOMES = List.of("success", "failure", "unknown");
  private static final List<String> SEVERITIES = List.of("info", "warning", "critical");
  private static final List<String> ACTORS = List.of("alice", "bob", "carol", "dave");
  private static final List<String> TAGS = List.of("pci", "hr", "prod");
  private static final List<String> WORDS =
      List.of(
          "Zürich",
          "café",
          "naïve",
          "alpha",
          "alphabet",
          "beta",
          "gamma",
          "Åsa",
          "x-ray",
          "alice@example.com",
          "42",
          "2024");

  /** One generated event with its columns, as the naive filter sees it. */
  private record Ev(NewEvent e, List<String[]> targets, List<String> tags, Set<String> words) {}

  @TempDir Path dir;

  @Test
  void randomFiltersAnswerWhatANaiveFilterOverAllEventsAnswers() throws Exception {
    long seed = Long.getLong("vellum.seed", System.nanoTime());
    Random r = new Random(seed);
    List<Ev> all = new ArrayList<>();
    try (SqliteEventStore store = new SqliteEventStore(SqliteDatabase.open(dir));
        LuceneSearchIndex index = LuceneSearchIndex.open(dir.resolve("ix"), store)) {
      fill(r, store, index, all);
      for (int n = 0; n < 400; n++) {
        SearchQuery q = query(r);
        List<Long> expected = naive(all, q);
        List<Long> actual = new ArrayList<>();
        SearchQuery page = q;
        for (int guard = 0; guard < 1000; guard++) {
          List<StoredEvent> found = index.search(page);
          found.forEach(e -> actual.add(e.seq()));
          if (found.size() < q.limit()) {
            break;
          }
          StoredEvent last = found.get(found.size() - 1);
          page = withAfter(q, new SearchQuery.Position(last.occurredAtMicros(), last.seq()));
        }
        assertEquals(expected, actual, "seed " + seed + ", query " + q);
      }
    }
  }

  /**
   * Random stats queries (tenant, range, bucket width, group) count exactly what a naive count over
   * every stored event counts, across segments and after redeliveries.
   */
  @Test
  void randomStatsCountWhatANaiveCountOverAllEventsCounts() throws Exception {
    long seed = Long.getLong("vellum.seed", System.nanoTime());
    Random r = new Random(seed);
    List<Ev> all = new ArrayList<>();
    try (SqliteEventStore store = new SqliteEventStore(SqliteDatabase.open(dir));
        LuceneSearchIndex index = LuceneSearchIndex.open(dir.resolve("ix"), store)) {
      fill(r, store, index, all);
      for (int n = 0; n < 300; n++) {
        String tenant = r.nextInt(10) == 0 ? "t3" : pick(r, TENANTS);
        long from = T0 + (r.nextInt(60) - 5) * 1_000_000L;
        long to = from + (1 + r.nextInt(60)) * 1_000_000L;
        long width = (1 + r.nextInt(10)) * 1_000_000L - (r.nextBoolean() ? 1 : 0);
        StatsQuery q =
            new StatsQuery(tenant, from, to, width, pick(r, List.of(StatsQuery.Group.values())));
        Map<String, Long> expected = new TreeMap<>();
        for (Ev v : all) {
          NewEvent e = v.e();
          if (e.tenant().equals(tenant)
              && e.occurredAtMicros() >= from
              && e.occurredAtMicros() < to) {
            long start = from + (e.occurredAtMicros() - from) / width * width;
            expected.merge(start + " " + group(e, q.groupBy()), 1L, Long::sum);
          }
        }
        Map<String, Long> actual = new TreeMap<>();
        for (StatsBucket b : index.stats(q)) {
          assertEquals(
              null,
              actual.put(b.bucketStartMicros() + " " + b.group(), b.count()),
              "one row per bucket and group");
        }
        assertEquals(expected, actual, "seed " + seed + ", query " + q);
      }
    }
  }

  /**
   * Stats over whole hours, which come from the segments' hourly rollups (every segment rolled up
   * here), with the partial last hour read event by event: the same counts as a naive count, also
   * after more events arrive in new segments between queries.
   */
  @Test
  void hourlyStatsFromRollupsCountWhatANaiveCountCounts() throws Exception {
    long seed = Long.getLong("vellum.seed", System.nanoTime());
    Random r = new Random(seed);
    long hour = 3_600_000_000L;
    List<Ev> all = new ArrayList<>();
    try (SqliteEventStore store = new SqliteEventStore(SqliteDatabase.open(dir));
        LuceneSearchIndex index =
            LuceneSearchIndex.open(dir.resolve("ix"), store, r.nextInt(2) * 50)) {
      for (int round = 0; round < 3; round++) {
        fill(r, store, index, all, 72 * hour);
        for (int n = 0; n < 100; n++) {
          String tenant = r.nextInt(10) == 0 ? "t3" : pick(r, TENANTS);
          long width = (1 + r.nextInt(24)) * hour;
          long from = Math.floorDiv(T0 + (r.nextInt(80) - 5) * hour, width) * width;
          long to = from + r.nextInt(80) * hour + r.nextInt(3_600) * 1_000_000L + 1;
          StatsQuery q =
              new StatsQuery(tenant, from, to, width, pick(r, List.of(StatsQuery.Group.values())));
          assertEquals(naiveStats(all, q), actualStats(index, q), "seed " + seed + ", " + q);
        }
      }
    }
  }

  private static Map<String, Long> naiveStats(List<Ev> all, StatsQuery q) {
    Map<String, Long> expected = new TreeMap<>();
    for (Ev v : all) {
      NewEvent e = v.e();
      long t = e.occurredAtMicros();
      if (e.tenant().equals(q.tenant()) && t >= q.fromMicros() && t < q.toMicros()) {
        long start = q.fromMicros() + (t - q.fromMicros()) / q.bucketMicros() * q.bucketMicros();
        expected.merge(start + " " + group(e, q.groupBy()), 1L, Long::sum);
      }
    }
    return expected;
  }

  private static Map<String, Long> actualStats(LuceneSearchIndex index, StatsQuery q) {
    Map<String, Long> actual = new TreeMap<>();
    for (StatsBucket b : index.stats(q)) {
      assertEquals(
          null,
          actual.put(b.bucketStartMicros() + " " + b.group(), b.count()),
          "one row per bucket and group");
    }
    return actual;
  }

  private static String group(NewEvent e, StatsQuery.Group g) {
    return switch (g) {
      case TYPE -> e.type();
      case OUTCOME -> e.outcome();
      case SOURCE -> e.source();
      case CATEGORY -> e.category();
      case SEVERITY -> e.severity();
    };
  }

  /**
   * Stores 720 random events of two tenants and hands them to the index in random batches, some
   * delivered twice, committing now and then so that the index has several segments.
   */
  private static void fill(Random r, SqliteEventStore store, LuceneSearchIndex index, List<Ev> all)
      throws Exception {
    fill(r, store, index, all, 50 * 1_000_000L);
  }

  private static void fill(
      Random r, SqliteEventStore store, LuceneSearchIndex index, List<Ev> all, long spreadMicros)
      throws Exception {
    for (int batch = 0; batch < 6; batch++) {
      List<NewEvent> events = new ArrayList<>();
      for (String t : TENANTS) {
        long next = store.nextSeq(t);
        for (int i = 0; i < 60; i++) {
          Ev ev = event(r, t, next + i, spreadMicros);
          all.add(ev);
          events.add(ev.e());
        }
      }
      store.append(WriteBatch.ofEvents(events, List.of()));
    }
    long at = 0;
    while (at < store.lastPosition()) {
      var b = store.after(at, 1 + r.nextInt(300));
      index.accept(b);
      if (r.nextBoolean()) {
        index.accept(b.subList(0, b.size() / 2)); // redelivery
      }
      if (r.nextInt(3) == 0) {
        index.commit();
      }
      at = b.get(b.size() - 1).position();
    }
  }

  private static final long T0 = 1_700_000_000_000_000L;

  private static Ev event(Random r, String tenant, long seq) {
    return event(r, tenant, seq, 50 * 1_000_000L);
  }

  /** An event within {@code spreadMicros} after T0, on whole seconds (many ties). */
  private static Ev event(Random r, String tenant, long seq, long spreadMicros) {
    String id = UUID.randomUUID().toString();
    long occurred = T0 + r.nextInt((int) (spreadMicros / 1_000_000L)) * 1_000_000L;
    String type = pick(r, TYPES);
    String actor = pick(r, ACTORS);
    String session = r.nextBoolean() ? "s-" + r.nextInt(5) : null;
    ObjectNode body = JSON.createObjectNode();
    body.put("id", id);
    body.put("type", type);
    body.put("tenant", tenant);
    body.put("seq", seq);
    body.putObject("actor").put("id", actor).put("type", "user");
    ArrayNode targets = body.putArray("targets");
    for (int i = r.nextInt(3); i > 0; i--) {
      targets
          .addObject()
          .put("type", r.nextBoolean() ? "document" : "user")
          .put("id", "d" + r.nextInt(4));
    }
    ArrayNode tags = body.putArray("tags");
    for (int i = r.nextInt(3); i > 0; i--) {
      tags.add(pick(r, TAGS));
    }
    StringBuilder reason = new StringBuilder();
    for (int i = r.nextInt(4); i > 0; i--) {
      reason.append(pick(r, WORDS)).append(' ');
    }
    body.put("reason", reason.toString());
    body.putObject("metadata").put("n", r.nextInt(100));
    String json = body.toString();
    SearchDocument doc;
    try {
      doc = SearchDocument.parse(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Set<String> words = new HashSet<>();
    for (String w : fold(doc.text()).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    NewEvent e =
        new NewEvent(
            tenant,
            seq,
            id,
            occurred,
            occurred,
            type,
            "cat-" + r.nextInt(2),
            r.nextBoolean() ? "APP" : "WEB",
            pick(r, OUTCOMES),
            pick(r, SEVERITIES),
            actor,
            r.nextBoolean() ? "192.0.2." + r.nextInt(3) : null,
            session,
            new byte[32],
            json);
    return new Ev(e, doc.targets(), doc.tags(), words);
  }

  /** Lower case without diacritics: the naive counterpart of the analyser (for these words). */
  private static String fold(String s) {
    return Normalizer.normalize(s.toLowerCase(Locale.ROOT), Normalizer.Form.NFD)
        .replaceAll("\\p{M}", "");
  }

  private static SearchQuery query(Random r) {
    String tenant = r.nextInt(10) == 0 ? "t3" : pick(r, TENANTS);
    Long from = r.nextInt(3) == 0 ? 1_700_000_000_000_000L + r.nextInt(50) * 1_000_000L : null;
    Long to = r.nextInt(3) == 0 ? 1_700_000_000_000_000L + r.nextInt(50) * 1_000_000L : null;
    List<String> types = null;
    if (r.nextInt(4) == 0) {
      types = new ArrayList<>(new HashSet<>(List.of(pick(r, TYPES), pick(r, TYPES))));
    }
    boolean target = r.nextInt(5) == 0;
    SearchQuery.FullText text = null;
    if (r.nextInt(3) == 0) {
      List<String> words = new ArrayList<>();
      for (int i = 1 + r.nextInt(2); i > 0; i--) {
        for (String w : pick(r, WORDS).toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
          words.add(w);
        }
      }
      boolean prefix = r.nextBoolean();
      if (prefix) {
        String last = words.remove(words.size() - 1);
        words.add(last.substring(0, 1 + r.nextInt(last.length())));
      }
      text = new SearchQuery.FullText(words, prefix);
    }
    return new SearchQuery(
        tenant,
        from,
        to,
        types,
        r.nextInt(6) == 0 ? "cat-" + r.nextInt(2) : null,
        r.nextInt(6) == 0 ? (r.nextBoolean() ? "APP" : "WEB") : null,
        r.nextInt(4) == 0 ? pick(r, ACTORS) : null,
        r.nextInt(6) == 0 ? "192.0.2." + r.nextInt(3) : null,
        target ? (r.nextBoolean() ? "document" : "user") : null,
        target ? "d" + r.nextInt(4) : null,
        r.nextInt(5) == 0 ? pick(r, OUTCOMES) : null,
        r.nextInt(5) == 0 ? pick(r, SEVERITIES) : null,
        r.nextInt(6) == 0 ? "s-" + r.nextInt(5) : null,
        r.nextInt(5) == 0 ? pick(r, TAGS) : null,
        text,
        r.nextBoolean(),
        1 + r.nextInt(40),
        null);
  }

  private static SearchQuery withAfter(SearchQuery q, SearchQuery.Position after) {
    return new SearchQuery(
        q.tenant(),
        q.fromMicros(),
        q.toMicros(),
        q.types(),
        q.category(),
        q.source(),
        q.actorId(),
        q.actorIp(),
        q.targetType(),
        q.targetId(),
        q.outcome(),
        q.severity(),
        q.sessionId(),
        q.tag(),
        q.fullText(),
        q.ascending(),
        q.limit(),
        after);
  }

  private static List<Long> naive(List<Ev> all, SearchQuery q) {
    Comparator<Ev> order =
        Comparator.comparingLong((Ev v) -> v.e().occurredAtMicros())
            .thenComparingLong(v -> v.e().seq());
    return all.stream()
        .filter(v -> matches(v, q))
        .sorted(q.ascending() ? order : order.reversed())
        .map(v -> v.e().seq())
        .toList();
  }

  private static boolean matches(Ev v, SearchQuery q) {
    NewEvent e = v.e();
    return e.tenant().equals(q.tenant())
        && (q.fromMicros() == null || e.occurredAtMicros() >= q.fromMicros())
        && (q.toMicros() == null || e.occurredAtMicros() < q.toMicros())
        && (q.types() == null || q.types().contains(e.type()))
        && eq(q.category(), e.category())
        && eq(q.source(), e.source())
        && eq(q.actorId(), e.actorId())
        && eq(q.actorIp(), e.actorIp())
        && eq(q.outcome(), e.outcome())
        && eq(q.severity(), e.severity())
        && eq(q.sessionId(), e.sessionId())
        && (q.tag() == null || v.tags().contains(q.tag()))
        && (q.targetType() == null
            || v.targets().stream()
                .anyMatch(t -> t[0].equals(q.targetType()) && t[1].equals(q.targetId())))
        && (q.fullText() == null || textMatches(v.words(), q.fullText()));
  }

  private static boolean textMatches(Set<String> words, SearchQuery.FullText text) {
    List<String> want = text.words();
    for (int i = 0; i < want.size(); i++) {
      String w = fold(want.get(i));
      boolean prefix = text.lastIsPrefix() && i == want.size() - 1;
      if (prefix ? words.stream().noneMatch(x -> x.startsWith(w)) : !words.contains(w)) {
        return false;
      }
    }
    return true;
  }

  private static boolean eq(String want, String have) {
    return want == null || want.equals(have);
  }

  private static <T> T pick(Random r, List<T> from) {
    return from.get(r.nextInt(from.size()));
  }
}
