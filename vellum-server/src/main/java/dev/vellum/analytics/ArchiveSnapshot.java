package dev.vellum.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.store.RecordStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What of a tenant is archived, as the archiver's records say (see the archive contract): the
 * sealed files still held ({@code archive-file} records not {@code deleted}), the seq ranges they
 * cover, and {@code archived_through_seq} of its {@code archive-progress} record (-1 without one).
 * A hot event belongs in the view only when no listed file covers it, so an event that is both
 * archived and still hot (hot retention has not run yet, or the archiver sealed it before it
 * advanced its progress) is counted once.
 */
record ArchiveSnapshot(List<ArchivedFile> files, long archivedThroughSeq, List<long[]> covered) {
  static final String FILE_KIND = "archive-file";
  static final String PROGRESS_KIND = "archive-progress";
  private static final int PAGE = 500;

  /** One sealed Parquet file of the tenant. */
  record ArchivedFile(String key, long size, String sha256Hex, long count) {}

  static ArchiveSnapshot read(RecordStore records, String tenant, ObjectMapper json, int maxFiles)
      throws IOException {
    long through = -1;
    var progress = records.get(PROGRESS_KIND, tenant, tenant);
    if (progress.isPresent()) {
      through = json.readTree(progress.get().body()).path("archived_through_seq").asLong(-1);
    }
    List<ArchivedFile> files = new ArrayList<>();
    List<long[]> ranges = new ArrayList<>();
    String after = "";
    while (true) {
      List<RecordStore.Entry> page = records.list(FILE_KIND, tenant, null, after, PAGE);
      for (RecordStore.Entry e : page) {
        if ("deleted".equals(e.status())) {
          continue;
        }
        JsonNode m = json.readTree(e.body());
        files.add(
            new ArchivedFile(
                e.id(),
                m.path("size").asLong(-1),
                m.path("sha256").asText(""),
                m.path("count").asLong(0)));
        for (JsonNode r : m.path("seq_ranges")) {
          ranges.add(new long[] {r.path(0).asLong(), r.path(1).asLong()});
        }
        if (files.size() > maxFiles) {
          throw new AnalyticsException(
              AnalyticsException.Kind.FAILED,
              "the archive of this tenant has more than " + maxFiles + " files; ask the operator");
        }
      }
      if (page.size() < PAGE) {
        break;
      }
      after = page.get(page.size() - 1).id();
    }
    return new ArchiveSnapshot(List.copyOf(files), through, merge(ranges));
  }

  /** Ascending, disjoint, non-adjacent inclusive ranges. */
  static List<long[]> merge(List<long[]> ranges) {
    List<long[]> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparingLong(r -> r[0]));
    List<long[]> out = new ArrayList<>();
    for (long[] r : sorted) {
      long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && r[0] <= last[1] + 1) {
        last[1] = Math.max(last[1], r[1]);
      } else {
        out.add(new long[] {r[0], r[1]});
      }
    }
    return out;
  }

  boolean covers(long seq) {
    int lo = 0;
    int hi = covered.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long[] r = covered.get(mid);
      if (seq < r[0]) {
        hi = mid - 1;
      } else if (seq > r[1]) {
        lo = mid + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  /** How many seqs in {@code [from, to)} no file covers. */
  long uncoveredIn(long from, long to) {
    long n = Math.max(0, to - from);
    for (long[] r : covered) {
      long a = Math.max(from, r[0]);
      long b = Math.min(to - 1, r[1]);
      if (a <= b) {
        n -= b - a + 1;
      }
    }
    return n;
  }
}
