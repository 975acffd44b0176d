package dev.vellum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.merkle.ProofException;
import dev.vellum.core.merkle.ProofVerifier;
import dev.vellum.core.note.Checkpoint;
import dev.vellum.core.note.NoteException;
import dev.vellum.core.note.NoteVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vellum bench proof}: inclusion proofs for random leaves of the latest signed checkpoint
 * (GET /v1/log/proof?leaf_index=I&amp;tree_size=N), reporting latency percentiles and proofs/s, and
 * verifying a sample of the proofs against the checkpoint's root hash.
 */
@Command(
    name = "proof",
    mixinStandardHelpOptions = true,
    description =
        "Fetch inclusion proofs of random leaves against the latest checkpoint, report"
            + " p50/p90/p99/p99.9/max and proofs/s, and verify a sample against the checkpoint root.")
final class ProofCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Decoder B64 = Base64.getDecoder();

  @Spec CommandSpec spec;

  @Mixin TargetOptions node = new TargetOptions();

  private @Nullable BenchHttp http;

  @Option(
      names = "--preload",
      defaultValue = "0",
      description =
          "first ingest this many ~1 KiB events (batch 500, 4 clients) and wait for a"
              + " checkpoint that covers them")
  long preload;

  @Option(
      names = "--duration",
      converter = Durations.class,
      defaultValue = "30s",
      description = "how long to fetch proofs (default ${DEFAULT-VALUE}) unless --requests")
  Duration duration;

  @Option(names = "--requests", defaultValue = "0", description = "total proofs to fetch")
  long requests;

  @Option(names = "--concurrency", defaultValue = "4", description = "concurrent clients")
  int concurrency;

  @Option(
      names = "--verify-every",
      defaultValue = "10",
      description =
          "verify every N-th proof against the checkpoint root (default"
              + " ${DEFAULT-VALUE}; 1 = all). Verification happens after the latency is recorded.")
  int verifyEvery;

  @Option(
      names = "--verifier-key",
      description =
          "trusted verifier key for the checkpoint signature (default: the one served"
              + " at /v1/log/key, which only checks consistency, not trust)")
  @Nullable String verifierKey;

  @Option(
      names = "--checkpoint-wait",
      converter = Durations.class,
      defaultValue = "30s",
      description =
          "with --preload: how long to wait for a checkpoint covering the preloaded"
              + " events (default ${DEFAULT-VALUE})")
  Duration checkpointWait;

  @Option(names = "--json", description = "print one JSON object instead of text")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (concurrency < 1 || verifyEvery < 1 || requests < 0) {
      err.println("vellum bench: --concurrency and --verify-every must be >= 1, --requests >= 0");
      return IngestCommand.EXIT_USAGE;
    }
    Target target;
    try {
      target = node.open();
    } catch (IllegalArgumentException e) {
      err.println("vellum bench: " + e.getMessage());
      return IngestCommand.EXIT_USAGE;
    }
    ObjectNode report;
    try (target;
        BenchHttp client = new BenchHttp(target.key, concurrency)) {
      http = client;
      long minSize = 1;
      if (preload > 0) {
        long before = treeSizeOrZero(target);
        RequestPool pool =
            RequestPool.generate(7, 500, 1024, "DEMO_APP", 32L << 20, (preload + 499) / 500);
        IngestLoad.Result r =
            IngestLoad.run(
                new IngestLoad.Plan(
                    target.baseUrl, target.key, pool, (preload + 499) / 500, null, 4, 0));
        err.printf(
            Locale.ROOT,
            "vellum bench: preloaded %d events at %.0f events/s%n",
            r.eventsAccepted(),
            r.eventsPerSecond());
        minSize = before + r.eventsAccepted();
      }
      Signed cp = checkpoint(target, minSize, preload > 0 ? checkpointWait : Duration.ZERO);
      if (cp == null) {
        err.println(
            "vellum bench: no signed checkpoint covers "
                + minSize
                + " leaves; ingest some events first (or use --preload)");
        return IngestCommand.EXIT_FAILED;
      }
      report = run(target, cp);
    } catch (IOException | NoteException e) {
      err.println("vellum bench: " + e.getMessage());
      return IngestCommand.EXIT_FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return IngestCommand.EXIT_FAILED;
    }
    out.print(json ? report.toString() + "\n" : text(report));
    out.flush();
    return report.get("verify_failures").asLong() == 0
            && report.get("proofs").asLong() == report.path("statuses").path("200").asLong()
        ? 0
        : IngestCommand.EXIT_FAILED;
  }

  /** The latest checkpoint, its signature checked, and whether the key was given by the user. */
  record Signed(Checkpoint checkpoint, boolean trustedKey) {}

  private @Nullable Signed checkpoint(Target target, long minSize, Duration wait)
      throws IOException, InterruptedException {
    NoteVerifier verifier =
        NoteVerifier.parse(
            verifierKey != null ? verifierKey.trim() : get(target, "/v1/log/key").text().trim());
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      BenchHttp.Response r = get(target, "/v1/log/checkpoint");
      if (r.status() == 200) {
        Checkpoint cp = Checkpoint.parse(verifier.verify(r.text()));
        if (cp.size() >= minSize) {
          return new Signed(cp, verifierKey != null);
        }
      } else if (r.status() != 404) {
        throw new IOException("GET /v1/log/checkpoint answered " + r.status() + ": " + r.text());
      }
      if (System.nanoTime() >= deadline) {
        return null;
      }
      Thread.sleep(200);
    }
  }

  private long treeSizeOrZero(Target target) throws IOException, InterruptedException {
    BenchHttp.Response r = get(target, "/v1/log/checkpoint");
    if (r.status() != 200) {
      return 0;
    }
    String[] lines = r.text().split("\n", 3);
    return lines.length >= 2 ? Long.parseLong(lines[1]) : 0;
  }

  private BenchHttp.Response get(Target target, String path) {
    return Objects.requireNonNull(http, "set by call()").get(target.baseUrl + path);
  }

  /**
   * Checks one proof response against the checkpoint: it must name the requested leaf and size, and
   * its audit path must lead from its leaf hash to the checkpoint's root.
   */
  static @Nullable String verify(JsonNode body, long index, Checkpoint cp) {
    if (body.path("leaf_index").asLong(-1) != index) {
      return "leaf_index " + body.path("leaf_index") + " != requested " + index;
    }
    if (body.path("tree_size").asLong(-1) != cp.size()) {
      return "tree_size " + body.path("tree_size") + " != checkpoint " + cp.size();
    }
    try {
      byte[] leaf = B64.decode(body.path("leaf_hash").asText());
      List<byte[]> path = new ArrayList<>();
      for (JsonNode h : body.path("audit_path")) {
        path.add(B64.decode(h.asText()));
      }
      ProofVerifier.verifyInclusion(index, cp.size(), leaf, path, cp.rootHash());
      return null;
    } catch (ProofException | IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private ObjectNode run(Target target, Signed signed) {
    Checkpoint cp = signed.checkpoint();
    long size = cp.size();
    List<Histogram> histograms = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    LongAdder verified = new LongAdder();
    LongAdder failures = new LongAdder();
    LongAdder pathHashes = new LongAdder();
    List<String> firstFailures = java.util.Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    long deadline = requests > 0 ? Long.MAX_VALUE : start + duration.toNanos();
    ClosedLoop.run(
        "vellum-bench-proof",
        concurrency,
        requests,
        deadline,
        c -> {
          Histogram mine = Latencies.histogram();
          histograms.add(mine);
          return n -> {
            long index = ThreadLocalRandom.current().nextLong(size);
            String url =
                target.baseUrl + "/v1/log/proof?leaf_index=" + index + "&tree_size=" + size;
            long t0 = System.nanoTime();
            BenchHttp.Response r = Objects.requireNonNull(http, "set by call()").get(url);
            mine.recordValue((System.nanoTime() - t0) / 1000);
            statuses.computeIfAbsent(r.status(), s -> new LongAdder()).increment();
            if (r.status() == 200 && n % verifyEvery == 0) {
              String problem;
              try {
                JsonNode proof = JSON.readTree(r.body());
                pathHashes.add(proof.path("audit_path").size());
                problem = verify(proof, index, cp);
              } catch (IOException e) {
                problem = "unreadable proof: " + e.getMessage();
              }
              verified.increment();
              if (problem != null) {
                failures.increment();
                if (firstFailures.size() < 5) {
                  firstFailures.add("leaf " + index + ": " + problem);
                }
              }
            }
            return true;
          };
        });
    double seconds = (System.nanoTime() - start) / 1e9;
    Histogram all = Latencies.histogram();
    histograms.forEach(all::add);
    ObjectNode o = JSON.createObjectNode();
    o.put("benchmark", "proof");
    o.put("date", Instant.now().toString());
    o.put("url", target.inProcess() ? "in-process node" : target.baseUrl);
    o.put("origin", cp.origin());
    o.put("tree_size", size);
    o.put("root_hash", Base64.getEncoder().encodeToString(cp.rootHash()));
    o.put(
        "checkpoint_signature",
        signed.trustedKey()
            ? "verified with --verifier-key"
            : "verified with the server's /v1/log/key");
    o.put("concurrency", concurrency);
    o.put("seconds", Latencies.round(seconds));
    o.put("proofs", all.getTotalCount());
    o.put("proofs_per_s", Latencies.round(all.getTotalCount() / seconds));
    Latencies.json(o.putObject("latency"), all, 50, 90, 99, 99.9);
    o.put("verified", verified.sum());
    o.put("verify_failures", failures.sum());
    o.put(
        "mean_audit_path",
        verified.sum() == 0 ? 0 : Latencies.round((double) pathHashes.sum() / verified.sum()));
    if (!firstFailures.isEmpty()) {
      firstFailures.forEach(o.putArray("first_failures")::add);
    }
    ObjectNode st = o.putObject("statuses");
    new TreeMap<>(statuses).forEach((k, v) -> st.put(k == -1 ? "io_error" : k.toString(), v.sum()));
    return o;
  }

  static String text(ObjectNode o) {
    JsonNode l = o.get("latency");
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "proof: %d proofs in %.1f s (%.1f/s), %d clients, tree size %d, %s%n",
            o.get("proofs").asLong(),
            o.get("seconds").asDouble(),
            o.get("proofs_per_s").asDouble(),
            o.get("concurrency").asInt(),
            o.get("tree_size").asLong(),
            o.get("url").asText()));
    sb.append(
        String.format(
            Locale.ROOT,
            "  p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms%n",
            l.get("p50_ms").asDouble(),
            l.get("p90_ms").asDouble(),
            l.get("p99_ms").asDouble(),
            l.get("p999_ms").asDouble(),
            l.get("max_ms").asDouble()));
    sb.append(
        String.format(
            Locale.ROOT,
            "  verified %d proofs against the checkpoint root," + " %d failures (signature %s)%n",
            o.get("verified").asLong(),
            o.get("verify_failures").asLong(),
            o.get("checkpoint_signature").asText()));
    if (o.has("first_failures")) {
      o.get("first_failures").forEach(f -> sb.append("    ").append(f.asText()).append('\n'));
    }
    sb.append("  statuses ").append(o.get("statuses")).append('\n');
    return sb.toString();
  }
}
