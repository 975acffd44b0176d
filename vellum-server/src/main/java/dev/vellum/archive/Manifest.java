package dev.vellum.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The manifest of one sealed archive file (format {@code vellum-archive-manifest/1}): what the file
 * holds and the signed checkpoint that covers every one of its events, so that the file can be
 * checked against the Merkle log long after the hot copy is gone.
 *
 * @param seqRanges ascending, disjoint, inclusive {@code [from, to]} ranges of the file's seqs
 * @param checkpointRootHash base64, as in the signed note
 */
public record Manifest(
    String tenant,
    String key,
    long size,
    String sha256,
    long count,
    List<long[]> seqRanges,
    long firstSeq,
    long lastSeq,
    String minOccurredAt,
    String maxOccurredAt,
    String source,
    String type,
    String day,
    long checkpointTreeSize,
    String checkpointRootHash,
    String checkpointNote,
    String createdAt) {
  public static final String FORMAT = "vellum-archive-manifest/1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The same manifest for a file of another size and SHA-256 (tests forge archives with it). */
  Manifest withContent(long newSize, String newSha256) {
    return new Manifest(
        tenant,
        key,
        newSize,
        newSha256,
        count,
        seqRanges,
        firstSeq,
        lastSeq,
        minOccurredAt,
        maxOccurredAt,
        source,
        type,
        day,
        checkpointTreeSize,
        checkpointRootHash,
        checkpointNote,
        createdAt);
  }

  /** Turns sorted seqs into inclusive ranges of consecutive values. */
  static List<long[]> ranges(long[] sortedSeqs) {
    List<long[]> out = new ArrayList<>();
    for (long s : sortedSeqs) {
      long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && last[1] + 1 == s) {
        last[1] = s;
      } else {
        out.add(new long[] {s, s});
      }
    }
    return out;
  }

  /** Whether {@code seq} is in one of the file's ranges. */
  public boolean covers(long seq) {
    for (long[] r : seqRanges) {
      if (seq >= r[0] && seq <= r[1]) {
        return true;
      }
    }
    return false;
  }

  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    o.put("tenant", tenant);
    o.put("key", key);
    o.put("size", size);
    o.put("sha256", sha256);
    o.put("count", count);
    ArrayNode ranges = o.putArray("seq_ranges");
    for (long[] r : seqRanges) {
      ranges.addArray().add(r[0]).add(r[1]);
    }
    o.put("first_seq", firstSeq);
    o.put("last_seq", lastSeq);
    o.put("min_occurred_at", minOccurredAt);
    o.put("max_occurred_at", maxOccurredAt);
    o.put("source", source);
    o.put("type", type);
    o.put("day", day);
    ObjectNode cp = o.putObject("checkpoint");
    cp.put("tree_size", checkpointTreeSize);
    cp.put("root_hash", checkpointRootHash);
    cp.put("note", checkpointNote);
    o.put("created_at", createdAt);
    return o.toString();
  }

  /** Parses a manifest; throws {@link IOException} naming the first missing or wrong member. */
  public static Manifest parse(String text) throws IOException {
    JsonNode o = JSON.readTree(text);
    if (o == null || !o.isObject()) {
      throw new IOException("manifest is not a JSON object");
    }
    if (!FORMAT.equals(o.path("format").asText())) {
      throw new IOException(
          "manifest format is " + o.path("format") + ", this reader knows " + FORMAT);
    }
    List<long[]> ranges = new ArrayList<>();
    for (JsonNode r : required(o, "seq_ranges")) {
      if (r.size() != 2 || !r.get(0).canConvertToLong() || !r.get(1).canConvertToLong()) {
        throw new IOException("manifest seq_ranges holds " + r + ", not [from, to]");
      }
      ranges.add(new long[] {r.get(0).asLong(), r.get(1).asLong()});
    }
    JsonNode cp = required(o, "checkpoint");
    return new Manifest(
        text(o, "tenant"),
        text(o, "key"),
        number(o, "size"),
        text(o, "sha256"),
        number(o, "count"),
        ranges,
        number(o, "first_seq"),
        number(o, "last_seq"),
        text(o, "min_occurred_at"),
        text(o, "max_occurred_at"),
        text(o, "source"),
        text(o, "type"),
        text(o, "day"),
        number(cp, "tree_size"),
        text(cp, "root_hash"),
        text(cp, "note"),
        text(o, "created_at"));
  }

  private static JsonNode required(JsonNode o, String name) throws IOException {
    JsonNode v = o.get(name);
    if (v == null || v.isNull()) {
      throw new IOException("manifest has no " + name);
    }
    return v;
  }

  private static String text(JsonNode o, String name) throws IOException {
    JsonNode v = required(o, name);
    if (!v.isTextual()) {
      throw new IOException("manifest " + name + " is not a string: " + v);
    }
    return v.asText();
  }

  private static long number(JsonNode o, String name) throws IOException {
    JsonNode v = required(o, name);
    if (!v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new IOException("manifest " + name + " is not an integer: " + v);
    }
    return v.asLong();
  }
}
