package dev.vellum.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.json.StrictJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code vellum monitor}: the online check in a loop, for a witness run by someone other than the
 * log's operator. Alerts on a bad signature, a failed consistency or inclusion proof, or a
 * shrinking tree: a log line, a JSON POST to the webhook, and exit status 1. A server that cannot
 * be reached is logged and retried at the next interval (exit 2 with {@code --once}).
 */
@Command(
    name = "monitor",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Watch a log: every interval, verify the latest signed checkpoint and its consistency"
          + " with the last one seen (kept in --state); alert and exit 1 on evidence of"
          + " tampering, rollback or a fork.",
      "",
      "Exit status: 1 tampering found, 2 usage error (or, with --once, I/O error), 0 with"
          + " --once when clean."
    })
public final class MonitorCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--url",
      paramLabel = "URL",
      required = true,
      description = "the server's base URL")
  URI url;

  @Option(
      names = "--key",
      paramLabel = "APIKEY",
      description =
          "API key with log:read (events:read with --sample); default: env" + " VELLUM_KEY")
  @Nullable String apiKey;

  @Option(
      names = "--trusted-key",
      paramLabel = "VKEY",
      required = true,
      description = "the log's verifier key, obtained out of band")
  List<String> trustedKeys = new ArrayList<>();

  @Option(
      names = "--state",
      paramLabel = "FILE",
      required = true,
      description = "the last checkpoint seen; replaced after each clean check")
  Path state;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "time between checks, e.g. 30s, 5m, 500ms (default ${DEFAULT-VALUE})")
  Duration interval;

  @Option(
      names = "--sample",
      paramLabel = "N",
      defaultValue = "0",
      description = "also prove N random events per check (needs events:read); default 0")
  int sample;

  @Option(
      names = "--webhook",
      paramLabel = "URL",
      description = "POST a JSON alert here on evidence of tampering")
  @Nullable URI webhook;

  @Option(names = "--once", description = "check once and exit")
  boolean once;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (sample < 0) {
      throw new ParameterException(spec.commandLine(), "--sample must be ≥ 0, got " + sample);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new ParameterException(spec.commandLine(), "--interval must be positive");
    }
    OnlineVerifier verifier;
    try {
      verifier = VerifyCommand.online(spec.commandLine(), url, apiKey, trustedKeys, state, sample);
    } catch (VerifyException e) {
      err.println("vellum monitor: " + e.getMessage());
      err.flush();
      return VerifyCommand.ERROR;
    }
    ObjectMapper json = StrictJson.mapper();
    while (true) {
      try {
        OnlineReport report = verifier.check();
        if (!report.clean()) {
          err.println(Instant.now() + " vellum monitor: ALERT " + url + ": " + report.summary());
          alert(report, json, err);
          err.flush();
          return VerifyCommand.TAMPERED;
        }
        out.println(Instant.now() + " vellum monitor: " + url + ": " + report.summary());
        out.flush();
      } catch (VerifyException e) {
        err.println(
            Instant.now()
                + " vellum monitor: check failed, "
                + (once ? "giving up" : "retrying in " + interval)
                + ": "
                + e.getMessage());
        err.flush();
        if (once) {
          return VerifyCommand.ERROR;
        }
      }
      if (once) {
        return VerifyCommand.CLEAN;
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return VerifyCommand.CLEAN;
      }
    }
  }

  private void alert(OnlineReport report, ObjectMapper json, PrintWriter err) {
    if (webhook == null) {
      return;
    }
    ObjectNode body = json.createObjectNode();
    body.put("alert", "vellum.log.tampering");
    body.put("at", Instant.now().toString());
    body.setAll(report.toJson(json));
    body.put("latest_note", report.latestNote);
    body.put("saved_note", report.previousNote);
    try {
      HttpRequest req =
          HttpRequest.newBuilder(webhook)
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
              .build();
      HttpResponse<Void> r =
          HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() / 100 != 2) {
        err.println(
            Instant.now() + " vellum monitor: webhook " + webhook + " answered " + r.statusCode());
      }
    } catch (IOException e) {
      err.println(Instant.now() + " vellum monitor: webhook " + webhook + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Parses 500ms, 30s, 5m, 1h, or ISO-8601 (PT30S). */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        if (v.startsWith("pt")) {
          return Duration.parse(v);
        }
        if (v.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        switch (v.charAt(v.length() - 1)) {
          case 's':
            return Duration.ofSeconds(n);
          case 'm':
            return Duration.ofMinutes(n);
          case 'h':
            return Duration.ofHours(n);
          default:
            break;
        }
      } catch (RuntimeException e) {
        // fall through to the message below
      }
      throw new TypeConversionException(
          "'" + value + "' is not a duration like 500ms, 30s, 5m" + " or 1h");
    }
  }
}
