package dev.vellum.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.note.Checkpoint;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The outcome of one online check. */
final class OnlineReport {
  private static final int MAX_KEPT = 20;

  final URI url;
  final String trustedKey;
  final Path state;
  @Nullable Checkpoint previous;
  @Nullable String previousNote;
  @Nullable Checkpoint latest;
  @Nullable String latestNote;
  boolean consistencyChecked;
  int consistencyProofHashes;
  long eventsSeen;
  long eventsProven;

  /** Events under the checkpoint the server did not list because they are archived only. */
  long eventsArchived;

  boolean saved;
  long nanos;
  long findingCount;
  final List<Finding> findings = new ArrayList<>();

  OnlineReport(URI url, String trustedKey, Path state) {
    this.url = url;
    this.trustedKey = trustedKey;
    this.state = state;
  }

  synchronized void proven() {
    eventsProven++;
  }

  synchronized void add(Finding f) {
    findingCount++;
    if (findings.size() < MAX_KEPT) {
      findings.add(f);
    }
  }

  boolean clean() {
    return findingCount == 0;
  }

  OnlineReport finish(long startNanos) {
    nanos = System.nanoTime() - startNanos;
    return this;
  }

  long firstBadSeq() {
    return findings.stream().mapToLong(Finding::seq).filter(s -> s >= 0).min().orElse(-1);
  }

  /** One line: what was checked and the verdict; for logs and alerts. */
  String summary() {
    if (!clean()) {
      Finding f = findings.get(0);
      return "TAMPERING FOUND ["
          + f.kind()
          + "] "
          + f
          + (findingCount > 1 ? " (and " + (findingCount - 1) + " more)" : "");
    }
    Checkpoint latest =
        Objects.requireNonNull(this.latest, "a clean report has a verified latest checkpoint");
    return "OK: checkpoint "
        + latest.origin()
        + " size "
        + latest.size()
        + " root "
        + b64(latest.rootHash())
        + (previous == null
            ? " (no saved checkpoint before)"
            : ", consistent with saved size " + previous.size())
        + (eventsProven > 0 ? ", " + eventsProven + " events proven" : "");
  }

  void printText(PrintWriter out) {
    out.println("vellum verify: " + url + " (online), trusted key " + trustedKey);
    if (latest != null) {
      out.println(
          "latest checkpoint: "
              + latest.origin()
              + " size "
              + latest.size()
              + " root "
              + b64(latest.rootHash())
              + ": signature OK");
    }
    if (previous == null) {
      out.println("saved checkpoint: none in " + state + " (first run: nothing to compare)");
    } else if (consistencyChecked) {
      out.println(
          "saved checkpoint: size "
              + previous.size()
              + ": consistent (proof of "
              + consistencyProofHashes
              + " hashes)");
    } else if (clean() && latest != null) {
      out.println(
          "saved checkpoint: size "
              + previous.size()
              + ": "
              + (previous.size() == latest.size() ? "same tree" : "nothing to prove from size 0"));
    }
    if (eventsSeen > 0) {
      out.println(
          "inclusion: "
              + eventsProven
              + " proven of "
              + eventsSeen
              + " events under the checkpoint");
    }
    if (eventsArchived > 0) {
      out.println(
          "archived: "
              + eventsArchived
              + " events under the checkpoint left the hot store (hot retention); check them"
              + " with vellum archive verify");
    }
    for (Finding f : findings) {
      out.println("  [" + f.kind() + "] " + f);
    }
    if (findingCount > findings.size()) {
      out.println("  … and " + (findingCount - findings.size()) + " more findings");
    }
    if (saved) {
      out.println("saved the new checkpoint to " + state);
    }
    out.printf("summary: %.2f s: %s%n", nanos / 1e9, clean() ? "CLEAN" : "TAMPERING FOUND");
    out.flush();
  }

  ObjectNode toJson(ObjectMapper json) {
    ObjectNode o = json.createObjectNode();
    o.put("mode", "online");
    o.put("url", url.toString());
    o.put("result", clean() ? "clean" : "tampered");
    o.put("trusted_key", trustedKey);
    o.set("latest_checkpoint", checkpoint(json, latest));
    o.set("saved_checkpoint", checkpoint(json, previous));
    o.put("consistency_checked", consistencyChecked);
    o.put("events_seen", eventsSeen);
    o.put("events_proven", eventsProven);
    o.put("events_archived", eventsArchived);
    long first = firstBadSeq();
    if (first >= 0) {
      o.put("first_bad_seq", first);
    } else {
      o.putNull("first_bad_seq");
    }
    o.put("finding_count", findingCount);
    ArrayNode fs = o.putArray("findings");
    for (Finding f : findings) {
      ObjectNode fo = fs.addObject();
      fo.put("kind", f.kind());
      if (f.seq() >= 0) {
        fo.put("seq", f.seq());
      } else {
        fo.putNull("seq");
      }
      fo.put("expected", f.expected());
      fo.put("actual", f.actual());
      fo.put("detail", f.detail());
    }
    o.put("state_saved", saved);
    o.put("seconds", Math.round(nanos / 1e6) / 1e3);
    return o;
  }

  private static @Nullable ObjectNode checkpoint(ObjectMapper json, @Nullable Checkpoint c) {
    if (c == null) {
      return null;
    }
    ObjectNode o = json.createObjectNode();
    o.put("origin", c.origin());
    o.put("tree_size", c.size());
    o.put("root_hash", b64(c.rootHash()));
    return o;
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
