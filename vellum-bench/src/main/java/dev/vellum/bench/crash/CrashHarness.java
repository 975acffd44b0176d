package dev.vellum.bench.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.cli.VellumCli;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Crash-consistency harness: runs {@code vellum serve} as a child process, ingests from several
 * client threads, SIGKILLs the server at a random moment, restarts it on the same data dir and
 * checks what survived.
 *
 * <p>The promise under test (issue 2, "durable acknowledgement"): a 2xx with status {@code
 * accepted} or {@code duplicate} is sent only after the event's transaction is committed with
 * {@code synchronous=FULL}. So after any crash:
 *
 * <ul>
 *   <li>every acknowledged id is stored exactly once, with the {@code seq} it was acknowledged
 *       with;
 *   <li>the tenant's {@code seq} values are exactly 0..n-1 (read-audit events included: they are
 *       sequenced like all others);
 *   <li>a batch that was in flight at the kill can be resent unchanged and is answered {@code
 *       accepted} or {@code duplicate}, never a conflict (idempotent retry);
 *   <li>{@code vellum verify} on the crashed data dir exits 0, once that command exists.
 * </ul>
 *
 * Events carry client-chosen random UUIDs so each can be recognised afterwards.
 */
final class CrashHarness {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final int PAGE = 1_000;

  /** What to run. {@code minRun}..{@code maxRun} is the window in which the kill falls. */
  public record Options(
      int cycles,
      Path dataDir,
      int clients,
      int batchSize,
      Duration minRun,
      Duration maxRun,
      long seed,
      PrintStream out) {
    public Options {
      if (cycles < 1) {
        throw new IllegalArgumentException("cycles must be at least 1, got " + cycles);
      }
      if (clients < 1 || batchSize < 1 || batchSize > 1_000) {
        throw new IllegalArgumentException(
            "clients must be >= 1 and batch size 1..1000, got " + clients + " and " + batchSize);
      }
      if (minRun.isNegative() || maxRun.compareTo(minRun) < 0) {
        throw new IllegalArgumentException(
            "need 0 <= min run <= max run, got " + minRun + " and " + maxRun);
      }
    }

    public static Options defaults(int cycles, Path dataDir, PrintStream out) {
      return new Options(
          cycles,
          dataDir,
          4,
          10,
          Duration.ofMillis(300),
          Duration.ofMillis(2_000),
          System.nanoTime(),
          out);
    }
  }

  /** One cycle: ingest, kill, verify, restart, check. */
  public record Cycle(
      int number,
      long killedAfterMillis,
      int acknowledged,
      int inFlightAtKill,
      int retried,
      long storedEvents,
      String verify,
      List<String> violations) {
    public boolean ok() {
      return violations.isEmpty();
    }
  }

  /** The whole run. {@link #ok()} is false if any cycle found a violation. */
  public record Report(
      List<Cycle> cycles,
      long acknowledged,
      long storedEvents,
      List<String> violations,
      Duration elapsed) {
    public boolean ok() {
      return violations.isEmpty() && !cycles.isEmpty();
    }
  }

  private final Options options;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final Random random;
  private final Path logDir;
  private final String key;

  /** Every acknowledged id with the seq it was acknowledged with. */
  private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();

  private final List<String> violations = new ArrayList<>();

  private CrashHarness(Options options) throws IOException {
    this.options = options;
    this.random = new Random(options.seed());
    Path data = options.dataDir().toAbsolutePath();
    this.logDir = data.resolveSibling(data.getFileName() + "-logs");
    this.key = bootstrapKey(data);
  }

  /** Runs {@code cycles} crash cycles on {@code dataDir} with default settings. */
  public static Report run(int cycles, Path dataDir, PrintStream out)
      throws IOException, InterruptedException {
    return run(Options.defaults(cycles, dataDir, out));
  }

  public static Report run(Options options) throws IOException, InterruptedException {
    return new CrashHarness(options).runCycles();
  }

  /** An existing data dir keeps its admin key; a new one gets a random key. */
  private static String bootstrapKey(Path dataDir) throws IOException {
    Path file = dataDir.resolve("bootstrap-key");
    if (Files.isRegularFile(file)) {
      return Files.readString(file).trim();
    }
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return "vk_crash_" + HexFormat.of().formatHex(b);
  }

  private Report runCycles() throws IOException, InterruptedException {
    long started = System.nanoTime();
    PrintStream out = options.out();
    Path dataDir = options.dataDir().toAbsolutePath();
    Files.createDirectories(dataDir);
    out.printf(
        "crash harness: %d cycles, %d clients x %d events per request, data %s, logs %s,"
            + " seed %d%n",
        options.cycles(), options.clients(), options.batchSize(), dataDir, logDir, options.seed());
    List<Cycle> cycles = new ArrayList<>();
    long stored = 0;
    ServerProcess server = startServer(dataDir, 0);
    try {
      for (int c = 1; c <= options.cycles(); c++) {
        Cycle cycle = runCycle(c, server, dataDir);
        server = restarted;
        cycles.add(cycle);
        stored = cycle.storedEvents();
        out.printf(
            "cycle %d/%d: killed after %d ms; acknowledged %d (total %d), in flight %d,"
                + " resent %d; stored %d, seq 0..%d; verify %s -> %s%n",
            c,
            options.cycles(),
            cycle.killedAfterMillis(),
            cycle.acknowledged(),
            acknowledged.size(),
            cycle.inFlightAtKill(),
            cycle.retried(),
            cycle.storedEvents(),
            cycle.storedEvents() - 1,
            cycle.verify(),
            cycle.ok() ? "ok" : "VIOLATIONS " + cycle.violations());
        if (server == null) {
          break;
        }
      }
    } finally {
      if (server != null) {
        int code = server.stop(Duration.ofSeconds(30));
        if (code != 0) {
          violations.add("graceful stop (SIGTERM) exited with " + code + " instead of 0");
        }
      }
    }
    Report report =
        new Report(
            List.copyOf(cycles),
            acknowledged.size(),
            stored,
            List.copyOf(violations),
            Duration.ofNanos(System.nanoTime() - started));
    out.printf(
        "crash harness: %s after %d cycles in %.1f s: %d events acknowledged, %d stored,"
            + " %d violations%n",
        report.ok() ? "PASSED" : "FAILED",
        cycles.size(),
        report.elapsed().toMillis() / 1000.0,
        report.acknowledged(),
        report.storedEvents(),
        report.violations().size());
    for (String v : report.violations()) {
      out.println("  violation: " + v);
    }
    return report;
  }

  /** The server running after the last cycle, or null if it could not be restarted. */
  private @Nullable ServerProcess restarted;

  private Cycle runCycle(int number, ServerProcess server, Path dataDir)
      throws IOException, InterruptedException {
    List<String> found = new ArrayList<>();
    int before = acknowledged.size();
    long runMillis =
        options.minRun().toMillis()
            + (long)
                (random.nextDouble() * (options.maxRun().toMillis() - options.minRun().toMillis()));
    Ingest ingest = new Ingest(server, found);
    ingest.start();
    Thread.sleep(runMillis);
    ingest.stopping.set(true);
    server.kill();
    ingest.join();
    int ackedThisCycle = acknowledged.size() - before;
    List<Batch> inFlight = new ArrayList<>(ingest.inFlight);

    String verify = runVerify(dataDir, found);

    restarted = null;
    try {
      restarted = startServer(dataDir, number);
    } catch (IllegalStateException e) {
      found.add("restart after the kill failed: " + e.getMessage());
    }
    long stored = -1;
    int resent = 0;
    if (restarted != null) {
      resent = resend(restarted, inFlight, found);
      stored = check(restarted, found);
    }
    synchronized (violations) {
      for (String v : found) {
        violations.add("cycle " + number + ": " + v);
      }
    }
    return new Cycle(
        number,
        runMillis,
        ackedThisCycle,
        inFlight.size(),
        resent,
        stored,
        verify,
        List.copyOf(found));
  }

  private ServerProcess startServer(Path dataDir, int cycle)
      throws IOException, InterruptedException {
    return ServerProcess.start(dataDir, logDir, key, "server-" + cycle + ".log", http);
  }

  /** One request's events: its body and the ids in it, in order. */
  private record Batch(String body, List<String> ids) {}

  /** The client threads of one cycle; they stop when the server dies. */
  private final class Ingest {
    final AtomicBoolean stopping = new AtomicBoolean();
    final ConcurrentLinkedQueue<Batch> inFlight = new ConcurrentLinkedQueue<>();
    final AtomicLong requests = new AtomicLong();
    private final ServerProcess server;
    private final List<String> found;
    private final List<Thread> threads = new ArrayList<>();

    Ingest(ServerProcess server, List<String> found) {
      this.server = server;
      this.found = found;
    }

    void start() {
      for (int t = 0; t < options.clients(); t++) {
        String actor = "crash-client-" + t;
        Thread thread = new Thread(() -> loop(actor), "crash-" + actor);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
    }

    void join() throws InterruptedException {
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(60));
        if (t.isAlive()) {
          synchronized (found) {
            found.add("client thread " + t.getName() + " did not finish after the kill");
          }
        }
      }
    }

    private void loop(String actor) {
      while (!stopping.get()) {
        Batch batch = newBatch(actor);
        try {
          HttpResponse<String> r = post(server, batch.body());
          requests.incrementAndGet();
          if (r.statusCode() == 429 || r.statusCode() == 503) {
            Thread.sleep(20);
            continue;
          }
          record(r, batch, found);
        } catch (IOException e) {
          // The server died (or is dying) while this batch was on the wire: it may or may not
          // have been committed. It is resent after the restart.
          inFlight.add(batch);
          return;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private Batch newBatch(String actor) {
    ArrayNode array = json.createArrayNode();
    List<String> ids = new ArrayList<>(options.batchSize());
    String at = Instant.now().minusSeconds(1).truncatedTo(ChronoUnit.MILLIS).toString();
    for (int i = 0; i < options.batchSize(); i++) {
      String id = UUID.randomUUID().toString();
      ids.add(id);
      ObjectNode e = array.addObject();
      e.put("id", id);
      e.put("occurred_at", at);
      e.put("source", "DEMO_APP");
      e.put("type", "LOGIN_SUCCESSFUL");
      e.put("outcome", "success");
      ObjectNode a = e.putObject("actor");
      a.put("type", "user");
      a.put("id", actor);
      a.put("ip", "10.9.8.7");
      e.putObject("metadata").put("login_method", "PASSWORD");
      e.putArray("tags").add("crash-harness");
    }
    return new Batch(array.toString(), ids);
  }

  private HttpResponse<String> post(ServerProcess server, String body)
      throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(server.url("/v1/events")))
            .timeout(REQUEST_TIMEOUT)
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(req, HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Records the acknowledged ids of a 2xx answer; anything else about our valid events is a
   * violation.
   */
  private void record(HttpResponse<String> r, Batch batch, List<String> found) throws IOException {
    if (r.statusCode() / 100 != 2) {
      synchronized (found) {
        found.add(
            "POST /v1/events answered "
                + r.statusCode()
                + " to valid events: "
                + abbreviate(r.body()));
      }
      return;
    }
    JsonNode results = json.readTree(r.body()).path("results");
    for (JsonNode res : results) {
      int index = res.path("index").asInt(-1);
      String status = res.path("status").asText();
      String id = res.path("id").asText();
      if (index < 0 || index >= batch.ids().size() || !batch.ids().get(index).equals(id)) {
        synchronized (found) {
          found.add("result " + res + " does not match the id sent at that index");
        }
        continue;
      }
      if (status.equals("accepted") || status.equals("duplicate")) {
        long seq = res.path("seq").asLong(-1);
        Long earlier = acknowledged.putIfAbsent(id, seq);
        if (earlier != null && earlier != seq) {
          synchronized (found) {
            found.add("id " + id + " acknowledged with seq " + earlier + " and later with " + seq);
          }
        }
      } else {
        synchronized (found) {
          found.add("valid event " + id + " answered " + res);
        }
      }
    }
  }

  /**
   * Resends the batches that were in flight at the kill; each event must be accepted or a
   * duplicate.
   */
  private int resend(ServerProcess server, List<Batch> inFlight, List<String> found)
      throws IOException, InterruptedException {
    int n = 0;
    for (Batch b : inFlight) {
      HttpResponse<String> r = post(server, b.body());
      record(r, b, found);
      n += b.ids().size();
    }
    return n;
  }

  /**
   * Pages through all of the tenant's events in ascending order and checks acknowledged ids and seq
   * contiguity. Returns the number of events seen. Each page read appends one AUDIT_LOG_ACCESSED
   * event after the cursor; the last page's own record is not seen, which is fine: it has the next
   * seq.
   */
  private long check(ServerProcess server, List<String> found)
      throws IOException, InterruptedException {
    Map<String, Integer> seen = new HashMap<>();
    Map<String, Long> seqOf = new HashMap<>();
    java.util.BitSet seqs = new java.util.BitSet();
    long count = 0;
    long maxSeq = -1;
    String cursor = null;
    int pages = 0;
    do {
      String path =
          "/v1/events?order=asc&limit="
              + PAGE
              + (cursor == null
                  ? ""
                  : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(server.url(path)))
              .timeout(REQUEST_TIMEOUT)
              .header("Authorization", "Bearer " + key)
              .GET()
              .build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        found.add("GET " + path + " answered " + r.statusCode() + ": " + abbreviate(r.body()));
        return -1;
      }
      JsonNode page = json.readTree(r.body());
      for (JsonNode e : page.path("events")) {
        String id = e.path("id").asText();
        long seq = e.path("seq").asLong(-1);
        count++;
        seen.merge(id, 1, Integer::sum);
        seqOf.put(id, seq);
        if (seq < 0 || seq > Integer.MAX_VALUE) {
          found.add("event " + id + " has seq " + e.path("seq"));
        } else if (seqs.get((int) seq)) {
          found.add("seq " + seq + " appears more than once (again on " + id + ")");
        } else {
          seqs.set((int) seq);
        }
        maxSeq = Math.max(maxSeq, seq);
      }
      JsonNode next = page.path("next_cursor");
      cursor = next.isTextual() ? next.asText() : null;
      if (++pages > 1_000_000) {
        found.add("paging did not end");
        break;
      }
    } while (cursor != null);

    if (maxSeq + 1 != count || seqs.cardinality() != count) {
      int gap = seqs.nextClearBit(0);
      found.add(
          "seq not contiguous: "
              + count
              + " events, highest seq "
              + maxSeq
              + ", first missing seq "
              + gap);
    }
    int missing = 0;
    for (Map.Entry<String, Long> a : acknowledged.entrySet()) {
      Integer times = seen.get(a.getKey());
      if (times == null) {
        if (missing++ < 10) {
          found.add(
              "acknowledged event "
                  + a.getKey()
                  + " (seq "
                  + a.getValue()
                  + ") is missing after the restart");
        }
      } else if (times != 1) {
        found.add("acknowledged event " + a.getKey() + " is stored " + times + " times");
      } else if (!Objects.requireNonNull(seqOf.get(a.getKey()), "seqOf has every seen id")
          .equals(a.getValue())) {
        found.add(
            "acknowledged event "
                + a.getKey()
                + " was acknowledged with seq "
                + a.getValue()
                + " but is stored with seq "
                + seqOf.get(a.getKey()));
      }
    }
    if (missing > 10) {
      found.add((missing - 10) + " more acknowledged events are missing");
    }
    return count;
  }

  /**
   * Runs {@code vellum verify} on the crashed data dir (server dead), if the CLI has that command
   * yet. HOOK: the verify command is not part of the CLI at the time of writing; once it exists
   * with a {@code --data-dir} option (or a positional data dir), this step runs by itself.
   */
  private String runVerify(Path dataDir, List<String> found)
      throws IOException, InterruptedException {
    CommandLine verify = new CommandLine(new VellumCli()).getSubcommands().get("verify");
    if (verify == null) {
      return "skipped (no verify command yet)";
    }
    CommandSpec spec = verify.getCommandSpec();
    List<String> args = new ArrayList<>(List.of("verify"));
    if (spec.findOption("--data-dir") != null) {
      args.add("--data-dir");
      args.add(dataDir.toString());
    } else if (!spec.positionalParameters().isEmpty()) {
      args.add(dataDir.toString());
    } else {
      return "skipped (verify takes neither --data-dir nor a path)";
    }
    Path log = logDir.resolve("verify-" + System.nanoTime() + ".log");
    Process p =
        ServerProcess.builder(args, logDir, Map.of())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      found.add("vellum verify did not finish in 10 minutes; log " + log);
      return "timeout";
    }
    if (p.exitValue() != 0) {
      found.add(
          "vellum verify exited " + p.exitValue() + "; log " + log + ":\n" + Files.readString(log));
      return "exit " + p.exitValue();
    }
    return "clean";
  }

  private static String abbreviate(String s) {
    return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
