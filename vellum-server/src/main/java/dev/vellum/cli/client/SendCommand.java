package dev.vellum.cli.client;

import dev.vellum.client.Actor;
import dev.vellum.client.AuditEvent;
import dev.vellum.client.ClientStats;
import dev.vellum.client.Outcome;
import dev.vellum.client.Receipt;
import dev.vellum.client.RejectedEventException;
import dev.vellum.client.Severity;
import dev.vellum.client.VellumClient;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vellum send}: one event from flags, or JSON lines (batched through the Java client). */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description = {
      "Send one event from flags, or many as JSON lines (one event per line) from"
          + " a file or stdin (--input -), batched through the Java client.",
      "Exit 0 when every event is stored, 1 when any was rejected or not delivered, 2 on a"
          + " usage error."
    })
public final class SendCommand extends ApiCommand {
  @Option(names = "--type", description = "Event type, e.g. LOGIN_FAILED")
  String type;

  @Option(names = "--source", description = "Source code (default for JSON lines without one)")
  String source;

  @Option(names = "--actor", description = "actor.id")
  String actor;

  @Option(
      names = "--actor-type",
      defaultValue = "user",
      description = "actor.type (${DEFAULT-VALUE})")
  String actorType;

  @Option(names = "--actor-ip", description = "actor.ip")
  String actorIp;

  @Option(names = "--target", description = "A target as TYPE:ID; repeatable")
  List<String> targets = new ArrayList<>();

  @Option(names = "--outcome", description = "success, failure or unknown")
  String outcome;

  @Option(names = "--severity", description = "debug … critical")
  String severity;

  @Option(names = "--reason", description = "reason")
  String reason;

  @Option(names = "--tag", description = "A tag; repeatable")
  List<String> tags = new ArrayList<>();

  @Option(
      names = {"-m", "--metadata"},
      description = "A metadata member NAME=VALUE; repeatable")
  Map<String, String> metadata = new LinkedHashMap<>();

  @Option(names = "--json", description = "The whole event as a JSON object")
  String json;

  @Option(
      names = {"-i", "--input"},
      description = "JSON lines file, or - for stdin")
  String input;

  @Option(
      names = "--spool",
      description =
          "Spool directory: events survive an outage or crash" + " and are sent by the next run")
  Path spool;

  @Option(
      names = "--batch",
      defaultValue = "500",
      description = "Events per request (${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--timeout",
      defaultValue = "60s",
      description = "How long to keep trying before giving up (${DEFAULT-VALUE})")
  String timeout;

  @Option(
      names = {"-q", "--quiet"},
      description = "No line per event; only the summary")
  boolean quiet;

  /** stdin, replaceable in tests. */
  InputStream stdin = System.in;

  @Override
  int run(Api api) throws Exception {
    if ((input == null) == (json == null && type == null)) {
      throw new Api.Failure("give either --input FILE|- or one event (--type … or --json …)");
    }
    Duration wait = parseDuration(timeout);
    VellumClient.Builder b =
        VellumClient.builder()
            .endpoint(api.base())
            .apiKey(api.key())
            .maxBatchEvents(batch)
            .bufferCapacity(50_000)
            .maxBlock(wait);
    if (source != null) {
      b.source(source);
    }
    if (spool != null) {
      b.spool(spool);
    }
    long started = System.nanoTime();
    List<CompletableFuture<Receipt>> sent = new ArrayList<>();
    int badLines = 0;
    try (VellumClient vellum = build(b)) {
      if (input != null) {
        InputStream in = input.equals("-") ? stdin : Files.newInputStream(Path.of(input));
        try (BufferedReader r =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
          String line;
          int n = 0;
          while ((line = r.readLine()) != null) {
            n++;
            if (line.isBlank()) {
              continue;
            }
            try {
              sent.add(vellum.record(AuditEvent.fromJson(line)));
            } catch (IllegalArgumentException e) {
              err().println("line " + n + ": " + e.getMessage());
              badLines++;
            }
          }
        }
      } else {
        sent.add(vellum.record(fromFlags()));
      }
      boolean done = vellum.close(wait);
      int rejected = 0;
      for (CompletableFuture<Receipt> f : sent) {
        try {
          Receipt r = f.get();
          if (!quiet) {
            out()
                .println(
                    r.id()
                        + " "
                        + (r.committed() ? "seq " + r.seq() : "")
                        + " "
                        + r.status().name().toLowerCase(java.util.Locale.ROOT));
          }
        } catch (ExecutionException e) {
          rejected++;
          Throwable c = e.getCause();
          err()
              .println(
                  c instanceof RejectedEventException re
                      ? re.eventId() + " rejected: " + re.errors()
                      : String.valueOf(c));
        }
      }
      ClientStats s = vellum.stats();
      double secs = (System.nanoTime() - started) / 1e9;
      err()
          .printf(
              "sent %d, duplicates %d, rejected or failed %d, spooled for later %d,"
                  + " retried %d in %.2f s (%.0f events/s)%n",
              s.sent(),
              s.duplicates(),
              rejected,
              done ? 0 : s.pending(),
              s.retried(),
              secs,
              (s.sent() + s.duplicates()) / secs);
      return rejected > 0 || badLines > 0 || !done ? 1 : 0;
    }
  }

  private static VellumClient build(VellumClient.Builder b) {
    try {
      return b.build();
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw new Api.Failure(String.valueOf(e.getMessage()));
    }
  }

  private AuditEvent fromFlags() {
    AuditEvent e;
    if (json != null) {
      try {
        e = AuditEvent.fromJson(json);
      } catch (IllegalArgumentException bad) {
        throw new Api.Failure("--json: " + bad.getMessage());
      }
      return e;
    }
    e = AuditEvent.type(type);
    if (actor != null) {
      Actor a = Actor.of(actorType, actor);
      if (actorIp != null) {
        a.ip(actorIp);
      }
      e.actor(a);
    }
    for (String t : targets) {
      int colon = t.indexOf(':');
      if (colon <= 0) {
        throw new Api.Failure("--target must be TYPE:ID, not " + t);
      }
      e.target(t.substring(0, colon), t.substring(colon + 1));
    }
    if (outcome != null) {
      e.outcome(enumOf(Outcome.class, outcome, "--outcome"));
    }
    if (severity != null) {
      e.severity(enumOf(Severity.class, severity, "--severity"));
    }
    if (reason != null) {
      e.reason(reason);
    }
    if (!tags.isEmpty()) {
      e.tag(tags.toArray(String[]::new));
    }
    metadata.forEach(e::metadata);
    return e;
  }

  private static <E extends Enum<E>> E enumOf(Class<E> type, String v, String option) {
    try {
      return Enum.valueOf(type, v.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Api.Failure(option + ": unknown value " + v);
    }
  }

  static Duration parseDuration(String s) {
    try {
      return Duration.parse("PT" + s.toUpperCase(java.util.Locale.ROOT));
    } catch (RuntimeException e) {
      throw new Api.Failure("not a duration (like 30s or 5m): " + s);
    }
  }
}
