package dev.vellum.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vellum.core.json.StrictJson;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vellum verify}: proves a log untampered, offline from a data dir or online from a server.
 * Exit status 0 clean, 1 tampering found, 2 usage or I/O error.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Check that no event was changed, removed, reordered or rolled back.",
      "",
      "Offline:  vellum verify --data-dir DIR [--checkpoint SAVED.txt] [--tenant T] [--json]",
      "  rebuilds every tenant's Merkle tree from the stored events and compares it with the"
          + " stored tiles and signed checkpoints (and with checkpoints saved earlier).",
      "Online:   vellum verify --url URL --key APIKEY --trusted-key VKEY --state FILE"
          + " [--sample N]",
      "  checks the latest checkpoint's signature, its consistency with the one saved in"
          + " FILE, and the inclusion of the events; then saves the new checkpoint.",
      "",
      "Exit status: 0 clean, 1 tampering found, 2 usage or I/O error."
    })
public final class VerifyCommand implements Callable<Integer> {
  static final int CLEAN = 0;
  static final int TAMPERED = 1;
  static final int ERROR = 2;

  @Spec CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "offline: the data dir to check (opened read-only)")
  @Nullable Path dataDir;

  @Option(
      names = "--checkpoint",
      paramLabel = "FILE",
      description =
          "offline: a signed checkpoint saved earlier; the log must extend it" + " (repeatable)")
  List<Path> checkpoints = new ArrayList<>();

  @Option(names = "--tenant", paramLabel = "T", description = "offline: check only this tenant")
  @Nullable String tenant;

  @Option(names = "--url", paramLabel = "URL", description = "online: the server's base URL")
  @Nullable URI url;

  @Option(
      names = "--key",
      paramLabel = "APIKEY",
      description =
          "online: API key with events:read (log:read with --sample 0);"
              + " default: env VELLUM_KEY")
  @Nullable String apiKey;

  @Option(
      names = "--trusted-key",
      paramLabel = "VKEY",
      description =
          "the log's verifier key <origin>+<hex id>+<base64>, obtained out of band."
              + " Online: required, one. Offline: optional, one per tenant; checks checkpoints when"
              + " the data dir has no log-signing.key, and MUST match it when it has")
  List<String> trustedKeys = new ArrayList<>();

  @Option(
      names = "--state",
      paramLabel = "FILE",
      description = "online: the checkpoint saved by the previous run; replaced on success")
  @Nullable Path state;

  @Option(
      names = "--sample",
      paramLabel = "N",
      description = "online: prove N random events instead of all; 0: none")
  @Nullable Integer sample;

  @Option(names = "--json", description = "print one JSON document instead of text")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ObjectMapper mapper = StrictJson.mapper().enable(SerializationFeature.INDENT_OUTPUT);
    try {
      if ((dataDir == null) == (url == null)) {
        throw new ParameterException(
            spec.commandLine(), "give either --data-dir (offline) or --url (online)");
      }
      if (dataDir != null) {
        rejectOnline();
        OfflineReport report = new OfflineVerifier(dataDir, tenant, trustedKeys, checkpoints).run();
        if (json) {
          out.println(mapper.writeValueAsString(report.toJson(mapper)));
          out.flush();
        } else {
          report.printText(out);
        }
        return report.clean() ? CLEAN : TAMPERED;
      }
      if (tenant != null || !checkpoints.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(),
            "--tenant and --checkpoint are for offline checks (--data-dir) only");
      }
      if (sample != null && sample < 0) {
        throw new ParameterException(spec.commandLine(), "--sample must be ≥ 0, got " + sample);
      }
      OnlineVerifier verifier =
          online(
              spec.commandLine(),
              url,
              apiKey,
              trustedKeys,
              state,
              sample == null ? OnlineVerifier.ALL : sample);
      OnlineReport report = verifier.check();
      if (json) {
        out.println(mapper.writeValueAsString(report.toJson(mapper)));
        out.flush();
      } else {
        report.printText(out);
      }
      return report.clean() ? CLEAN : TAMPERED;
    } catch (VerifyException e) {
      err.println("vellum verify: " + e.getMessage());
      err.flush();
      return ERROR;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      err.println("vellum verify: cannot write the JSON report: " + e.getMessage());
      err.flush();
      return ERROR;
    }
  }

  private void rejectOnline() {
    if (apiKey != null || state != null || sample != null) {
      throw new ParameterException(
          spec.commandLine(), "--key, --state and --sample are for online checks (--url) only");
    }
  }

  /** Validates the online options shared with {@code vellum monitor}. */
  static OnlineVerifier online(
      CommandLine cmd,
      @Nullable URI url,
      @Nullable String apiKey,
      List<String> trustedKeys,
      @Nullable Path state,
      int sample)
      throws VerifyException {
    if (url == null || state == null || trustedKeys.size() != 1) {
      throw new ParameterException(
          cmd, "online checks need --url, --state and exactly one --trusted-key");
    }
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
      throw new ParameterException(cmd, "--url must be http:// or https://, got " + url);
    }
    String key = apiKey != null ? apiKey : System.getenv("VELLUM_KEY");
    if (key == null || key.isBlank()) {
      throw new ParameterException(cmd, "online checks need --key or env VELLUM_KEY");
    }
    return new OnlineVerifier(
        url,
        key.trim(),
        trustedKeys.get(0),
        state,
        sample,
        StrictJson.mapper(),
        new SecureRandom());
  }
}
