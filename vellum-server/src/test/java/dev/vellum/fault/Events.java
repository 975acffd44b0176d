package dev.vellum.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.testing.TestNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Event builders and a full read of the default tenant's log, shared by the fault tests. */
final class Events {
  private Events() {}

  /**
   * {@code n} valid events with fresh UUIDs and a {@code reason} of about {@code padding} bytes.
   */
  static ArrayNode batch(TestNode node, int n, int padding, List<String> ids) {
    ArrayNode array = node.json.createArrayNode();
    String reason = "x".repeat(padding);
    for (int i = 0; i < n; i++) {
      ObjectNode e = node.loginEvent("fault-actor-" + (i % 7));
      String id = UUID.randomUUID().toString();
      e.put("id", id);
      if (padding > 0) {
        e.put("reason", reason);
      }
      ids.add(id);
      array.add(e);
    }
    return array;
  }

  /** The ids accepted or acknowledged as duplicates in a 2xx ingest answer, with their seq. */
  static Map<String, Long> acknowledged(TestNode.Reply reply) {
    Map<String, Long> out = new HashMap<>();
    if (reply.status() / 100 == 2 && reply.body() != null) {
      for (JsonNode r : reply.body().path("results")) {
        String status = r.path("status").asText();
        if (status.equals("accepted") || status.equals("duplicate")) {
          out.put(r.path("id").asText(), r.path("seq").asLong());
        }
      }
    }
    return out;
  }

  /** Every event of the tenant as id to seq, read page by page in ascending order. */
  record Log(Map<String, Long> seqById, List<String> problems) {}

  static Log readAll(TestNode node, String key) {
    Map<String, Long> seqById = new HashMap<>();
    List<String> problems = new ArrayList<>();
    BitSet seqs = new BitSet();
    long max = -1;
    String cursor = null;
    do {
      String path =
          "/v1/events?order=asc&limit=1000"
              + (cursor == null
                  ? ""
                  : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
      // the search index may still be catching up after a fault: wait as Retry-After says
      TestNode.Reply r = node.getPatiently(path, key);
      if (r.status() != 200) {
        problems.add("GET " + path + " answered " + r.status() + ": " + r.raw().body());
        break;
      }
      for (JsonNode e : r.body().path("events")) {
        long seq = e.path("seq").asLong();
        if (seqById.put(e.path("id").asText(), seq) != null) {
          problems.add("id " + e.path("id").asText() + " listed twice");
        }
        if (seqs.get((int) seq)) {
          problems.add("seq " + seq + " listed twice");
        }
        seqs.set((int) seq);
        max = Math.max(max, seq);
      }
      JsonNode next = r.body().path("next_cursor");
      cursor = next.isTextual() ? next.asText() : null;
    } while (cursor != null);
    if (max + 1 != seqById.size() || seqs.cardinality() != seqById.size()) {
      problems.add(
          "seq not contiguous: "
              + seqById.size()
              + " events, highest seq "
              + max
              + ", first missing "
              + seqs.nextClearBit(0));
    }
    return new Log(seqById, problems);
  }

  /** Problems with acknowledged events in {@code log}: missing, or stored with another seq. */
  static List<String> lostOrMoved(Map<String, Long> acknowledged, Log log) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Long> a : acknowledged.entrySet()) {
      Long stored = log.seqById().get(a.getKey());
      if (stored == null) {
        problems.add("acknowledged " + a.getKey() + " (seq " + a.getValue() + ") is missing");
      } else if (!stored.equals(a.getValue())) {
        problems.add(
            "acknowledged "
                + a.getKey()
                + " with seq "
                + a.getValue()
                + " but stored with seq "
                + stored);
      }
    }
    return problems;
  }
}
