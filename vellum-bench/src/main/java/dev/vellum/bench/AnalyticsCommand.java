package dev.vellum.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.analytics.Analytics;
import dev.vellum.analytics.AnalyticsSettings;
import dev.vellum.analytics.QueryResult;
import dev.vellum.objectstore.DirectoryObjectStore;
import dev.vellum.objectstore.Sha256;
import dev.vellum.store.RecordStore;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteEventStore;
import dev.vellum.store.sqlite.SqliteRecordStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vellum bench analytics}: typical analytics queries over an archive of generated events.
 * Writes (not measured) one Parquet file per (source, type, day) in the archive contract's layout
 * and columns, with their {@code archive-file} records and the tenant's {@code archive-progress},
 * then times each query through the analytics service exactly as the HTTP API runs it: a fresh
 * sandboxed DuckDB per query, the SQL guard, the view over every file, the query. The events'
 * bodies are synthetic (their leaf hashes commit to nothing): this measures SQL, not integrity.
 */
@Command(
    name = "analytics",
    mixinStandardHelpOptions = true,
    description =
        "Archive generated events as Parquet (contract layout), then time typical analytics"
            + " queries over them through the sandboxed DuckDB service.")
final class AnalyticsCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TENANT = "bench";
  private static final List<String> SOURCES = List.of("BILLING", "PORTAL");
  private static final List<String> TYPES =
      List.of(
          "LOGIN_SUCCESSFUL", "LOGIN_FAILED", "DOCUMENT_VIEWED", "ROLE_CHANGED", "PAYMENT_CREATED");
  private static final int DAYS = 30;

  static final List<String[]> QUERIES =
      List.of(
          new String[] {"count", "SELECT count(*) FROM events"},
          new String[] {"count by type", "SELECT type, count(*) FROM events GROUP BY type"},
          new String[] {
            "by type per day",
            "SELECT type, date_trunc('day', occurred_at) AS day, count(*) FROM events"
                + " GROUP BY ALL ORDER BY day, type"
          },
          new String[] {
            "top failing actors",
            "SELECT actor_id, count(*) AS n FROM events WHERE outcome = 'failure'"
                + " GROUP BY 1 ORDER BY n DESC LIMIT 10"
          },
          new String[] {
            "metadata (JSON) group",
            "SELECT json_extract_string(metadata, '$.login_method') AS m, count(*) FROM events"
                + " GROUP BY 1"
          },
          new String[] {
            "one actor's day",
            "SELECT seq, type, occurred_at FROM events WHERE actor_id = 'user-42'"
                + " AND occurred_at >= TIMESTAMP '2026-01-10' AND occurred_at < TIMESTAMP"
                + " '2026-01-11' ORDER BY seq"
          });

  @Spec CommandSpec spec;

  @Option(names = "--events", defaultValue = "1000000", description = "events (default 1000000)")
  long events;

  @Option(names = "--runs", defaultValue = "5", description = "runs per query (default 5)")
  int runs;

  @Option(names = "--dir", description = "data directory (default: a new temporary one)")
  @Nullable Path dir;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Path data = dir != null ? dir : Files.createTempDirectory("vellum-bench-analytics");
    ObjectNode report = JSON.createObjectNode();
    report.put("benchmark", "analytics");
    report.put("events", events);
    AnalyticsSettings settings = AnalyticsSettings.fromEnvironment(System.getenv());
    report.put("memory_limit_mb", settings.memoryLimitMb());
    report.put("threads", settings.threads());
    try (SqliteDatabase db = SqliteDatabase.open(data.resolve("store"));
        SqliteEventStore store = new SqliteEventStore(db)) {
      RecordStore records = SqliteRecordStore.open(db);
      DirectoryObjectStore archive = new DirectoryObjectStore(data.resolve("archive"));
      long started = System.nanoTime();
      long bytes =
          records.count("archive-file", TENANT, null) == (long) SOURCES.size() * TYPES.size() * DAYS
              ? existingBytes(archive)
              : writeArchive(archive, records, err);
      report.put("archive_files", SOURCES.size() * TYPES.size() * DAYS);
      report.put("archive_bytes", bytes);
      report.put("archive_bytes_per_event", Math.round(bytes * 10.0 / events) / 10.0);
      report.put("archive_write_seconds", (System.nanoTime() - started) / 1e9);
      ArrayNode timings = report.putArray("queries");
      try (Analytics analytics =
          new Analytics(
              store,
              records,
              archive,
              data.resolve("analytics-cache"),
              settings,
              JSON,
              Clock.systemUTC())) {
        for (String[] q : QUERIES) {
          timings.add(time(analytics, q[0], q[1], err));
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(report.toPrettyString());
    out.flush();
    return 0;
  }

  private ObjectNode time(Analytics analytics, String name, String sql, PrintWriter err) {
    long[] millis = new long[runs];
    QueryResult last = null;
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      last = analytics.query(TENANT, sql, 0, 0);
      millis[i] = (System.nanoTime() - t0) / 1_000_000;
    }
    Arrays.sort(millis);
    ObjectNode o = JSON.createObjectNode();
    o.put("query", name);
    o.put("sql", sql);
    o.put("rows", last == null ? 0 : last.rows().size());
    o.put("min_ms", millis[0]);
    o.put("median_ms", millis[runs / 2]);
    o.put("max_ms", millis[runs - 1]);
    err.printf(
        Locale.ROOT, "vellum bench analytics: %-22s median %5d ms%n", name, millis[runs / 2]);
    err.flush();
    return o;
  }

  /** The bytes of an archive a previous run of the same size wrote into this --dir. */
  private static long existingBytes(DirectoryObjectStore archive) throws java.io.IOException {
    long total = 0;
    for (String key : archive.list("tenant=" + TENANT + "/", "", Integer.MAX_VALUE)) {
      if (key.endsWith(".parquet")) {
        total += Files.size(archive.fileOf(key));
      }
    }
    return total;
  }

  /** One file per (source, type, day), each a contiguous seq range; returns the bytes written. */
  private long writeArchive(DirectoryObjectStore archive, RecordStore records, PrintWriter err)
      throws Exception {
    int files = SOURCES.size() * TYPES.size() * DAYS;
    long per = events / files;
    long total = 0;
    long seq = 0;
    Path tmp = Files.createTempDirectory("vellum-bench-parquet");
    List<RecordStore.Entry> entries = new ArrayList<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = duck.createStatement()) {
      int f = 0;
      for (int day = 0; day < DAYS; day++) {
        for (String source : SOURCES) {
          for (String type : TYPES) {
            long n = f == files - 1 ? events - seq : per;
            LocalDate d = LocalDate.of(2026, 1, 1).plusDays(day);
            Path file = tmp.resolve("f.parquet");
            Files.deleteIfExists(file);
            s.execute(copy(seq, seq + n, d, source, type, file));
            String sha = Sha256.of(file);
            String key =
                String.format(
                    Locale.ROOT,
                    "tenant=%s/source=%s/type=%s/year=%04d/month=%02d/day=%02d/%s-%d-%d-%s.parquet",
                    TENANT,
                    source,
                    type,
                    d.getYear(),
                    d.getMonthValue(),
                    d.getDayOfMonth(),
                    TENANT,
                    seq,
                    seq + n - 1,
                    sha.substring(0, 8));
            long size = archive.put(key, file).size();
            total += size;
            ObjectNode m = JSON.createObjectNode();
            m.put("format", "vellum-archive-manifest/1");
            m.put("tenant", TENANT);
            m.put("key", key);
            m.put("size", size);
            m.put("sha256", sha);
            m.put("count", n);
            m.putArray("seq_ranges").addArray().add(seq).add(seq + n - 1);
            m.put("first_seq", seq);
            m.put("last_seq", seq + n - 1);
            m.put("source", source);
            m.put("type", type);
            m.put("day", d.toString());
            entries.add(
                RecordStore.Entry.of("archive-file", TENANT, key, m.toString(), 1)
                    .withStatus("sealed", 0));
            seq += n;
            f++;
          }
        }
      }
    }
    entries.add(
        RecordStore.Entry.of(
            "archive-progress", TENANT, TENANT, "{\"archived_through_seq\":" + (seq - 1) + "}", 1));
    records.putAll(entries);
    err.printf(Locale.ROOT, "vellum bench analytics: %d events in %d files%n", seq, files);
    return total;
  }

  /** The contract's columns computed from seq, deterministic per seq (hash()). */
  private static String copy(
      long from, long to, LocalDate day, String source, String type, Path file) {
    String failure = type.equals("LOGIN_FAILED") ? "true" : "hash(seq) % 10 = 0";
    return "COPY (SELECT"
        + " printf('0190%012x-7000-8000-%012x', seq, hash(seq) % 281474976710656) AS id,"
        + " '"
        + TENANT
        + "' AS tenant, seq::BIGINT AS seq,"
        + " TIMESTAMP '"
        + day
        + "' + to_microseconds(((seq - "
        + from
        + ") * 86400000000 // "
        + Math.max(1, to - from)
        + ")::BIGINT) AS occurred_at,"
        + " occurred_at + INTERVAL 150 MILLISECOND AS received_at,"
        + " '"
        + source
        + "' AS source, '"
        + type
        + "' AS type, 'authentication' AS category,"
        + " CASE WHEN "
        + failure
        + " THEN 'failure' ELSE 'success' END AS outcome,"
        + " CASE WHEN "
        + failure
        + " THEN 'warning' ELSE 'info' END AS severity,"
        + " 'user' AS actor_type, 'user-' || (hash(seq * 7) % 5000) AS actor_id,"
        + " 'User ' || (hash(seq * 7) % 5000) AS actor_name,"
        + " '10.' || (hash(seq) % 256) || '.' || (hash(seq * 3) % 256) || '.7' AS actor_ip,"
        + " 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' AS actor_user_agent,"
        + " NULL::VARCHAR AS actor_device, NULL::VARCHAR AS actor_location,"
        + " '[{\"type\":\"document\",\"id\":\"doc-' || (hash(seq * 13) % 20000) || '\"}]' AS targets,"
        + " NULL::VARCHAR AS changes, '[\"bench\"]' AS tags,"
        + " '{\"login_method\":\"' || (['PASSWORD','SSO','PASSKEY'])[(1 + hash(seq) % 3)::BIGINT] || '\"}'"
        + " AS metadata,"
        + " 'sess-' || (seq // 20) AS session_id, 'req-' || seq AS request_id,"
        + " NULL::VARCHAR AS related_event_id, NULL::VARCHAR AS reason,"
        + " sha256(seq::VARCHAR) AS leaf_hash, 1 AS leaf_version,"
        + " to_json({id: id, tenant: tenant, seq: seq, occurred_at: occurred_at, source: source,"
        + " type: type, category: category, outcome: outcome, severity: severity,"
        + " actor: {type: actor_type, id: actor_id, name: actor_name, ip: actor_ip,"
        + " user_agent: actor_user_agent}, targets: targets::JSON, tags: tags::JSON,"
        + " metadata: metadata::JSON, session_id: session_id, request_id: request_id})::VARCHAR"
        + " AS body"
        + " FROM range("
        + from
        + ", "
        + to
        + ") t(seq))"
        + " TO '"
        + file
        + "' (FORMAT PARQUET, COMPRESSION ZSTD)";
  }
}
