package dev.vellum.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The outcome of an offline check, as text for people or one JSON document for tools. */
final class OfflineReport {
  final Path dataDir;
  final List<TenantResult> tenants;
  final long nanos;

  OfflineReport(Path dataDir, List<TenantResult> tenants, long nanos) {
    this.dataDir = dataDir;
    this.tenants = tenants;
    this.nanos = nanos;
  }

  boolean clean() {
    return tenants.stream().allMatch(TenantResult::clean);
  }

  long events() {
    return tenants.stream().mapToLong(t -> t.events).sum();
  }

  double eventsPerSecond() {
    return nanos == 0 ? 0 : events() * 1e9 / nanos;
  }

  void printText(PrintWriter out) {
    out.println("vellum verify: data dir " + dataDir.toAbsolutePath() + " (offline)");
    for (TenantResult t : tenants) {
      String head =
          "tenant "
              + t.tenant
              + ": "
              + t.events
              + " events, "
              + (t.archived > 0
                  ? t.archived
                      + " archived (leaves from tiles; vellum archive verify checks them), "
                  : "")
              + (t.treeSize >= 0 ? "root " + b64(t.root) + ", " : "tree not rebuilt, ")
              + t.tiles
              + " tiles, "
              + t.checkpoints
              + " checkpoints"
              + (t.savedCheckpoints > 0 ? ", " + t.savedCheckpoints + " saved checkpoints" : "");
      if (t.clean()) {
        out.println(head + ": OK");
        continue;
      }
      out.println(
          head + ": TAMPERED" + (t.firstBadSeq >= 0 ? ", first bad seq " + t.firstBadSeq : ""));
      for (Finding f : t.findings) {
        out.println("  [" + f.kind() + "] " + f);
      }
      if (t.findingCount > t.findings.size()) {
        out.println("  … and " + (t.findingCount - t.findings.size()) + " more findings");
      }
    }
    out.printf(
        "summary: %d events in %d tenants, %d tiles, %d checkpoints checked in %.2f s"
            + " (%.0f events/s): %s%n",
        events(),
        tenants.size(),
        tenants.stream().mapToLong(t -> t.tiles).sum(),
        tenants.stream().mapToLong(t -> t.checkpoints + t.savedCheckpoints).sum(),
        nanos / 1e9,
        eventsPerSecond(),
        clean() ? "CLEAN" : "TAMPERING FOUND");
    out.flush();
  }

  ObjectNode toJson(ObjectMapper json) {
    ObjectNode root = json.createObjectNode();
    root.put("mode", "offline");
    root.put("data_dir", dataDir.toAbsolutePath().toString());
    root.put("result", clean() ? "clean" : "tampered");
    ArrayNode ts = root.putArray("tenants");
    for (TenantResult t : tenants) {
      ObjectNode o = ts.addObject();
      o.put("tenant", t.tenant);
      o.put("result", t.clean() ? "clean" : "tampered");
      o.put("events", t.events);
      o.put("archived", t.archived);
      if (t.treeSize >= 0) {
        o.put("tree_size", t.treeSize);
        o.put("root_hash", b64(t.root));
      } else {
        o.putNull("tree_size");
        o.putNull("root_hash");
      }
      o.put("tiles", t.tiles);
      o.put("checkpoints", t.checkpoints);
      o.put("saved_checkpoints", t.savedCheckpoints);
      if (t.firstBadSeq >= 0) {
        o.put("first_bad_seq", t.firstBadSeq);
      } else {
        o.putNull("first_bad_seq");
      }
      o.put("finding_count", t.findingCount);
      ArrayNode fs = o.putArray("findings");
      for (Finding f : t.findings) {
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
    }
    ObjectNode s = root.putObject("summary");
    s.put("tenants", tenants.size());
    s.put("events", events());
    s.put("tiles", tenants.stream().mapToLong(t -> t.tiles).sum());
    s.put("checkpoints", tenants.stream().mapToLong(t -> t.checkpoints).sum());
    s.put("saved_checkpoints", tenants.stream().mapToLong(t -> t.savedCheckpoints).sum());
    s.put("seconds", Math.round(nanos / 1e6) / 1e3);
    s.put("events_per_second", Math.round(eventsPerSecond()));
    return root;
  }

  private static String b64(byte @Nullable [] b) {
    return b == null ? "none" : Base64.getEncoder().encodeToString(b);
  }
}
