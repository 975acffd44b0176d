package dev.vellum.alarms;

import dev.vellum.ingest.IngestCounts;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Received and rejected events over a sliding window, from cumulative totals read at each sample.
 * It keeps one delta per sample (only the tenants that sent something), and running sums, so a
 * sample costs O(active tenants), not O(window). Memory is bounded by the samples in the window
 * (window / interval, validated at start) times the tenants active in it.
 */
final class RateWindow {
  /** Received and rejected events. */
  record Counts(long received, long rejected) {
    double rate() {
      return received == 0 ? 0 : (double) rejected / received;
    }
  }

  private record Step(long atMicros, Counts node, Map<String, Counts> tenants) {}

  private final long windowMicros;
  private final ArrayDeque<Step> steps = new ArrayDeque<>();
  private final Map<String, long[]> sums = new HashMap<>();
  private final long[] nodeSum = new long[2];
  private IngestCounts.Totals lastNode = new IngestCounts.Totals(0, 0);
  private Map<String, IngestCounts.Totals> lastTenants = Map.of();

  RateWindow(long windowMicros) {
    this.windowMicros = windowMicros;
  }

  /** Takes the totals read now; drops the steps that left the window. */
  void add(long nowMicros, IngestCounts.Totals node, Map<String, IngestCounts.Totals> tenants) {
    Map<String, Counts> delta = new HashMap<>();
    for (Map.Entry<String, IngestCounts.Totals> t : tenants.entrySet()) {
      IngestCounts.Totals before =
          lastTenants.getOrDefault(t.getKey(), new IngestCounts.Totals(0, 0));
      long rec = t.getValue().received() - before.received();
      if (rec > 0) {
        delta.put(t.getKey(), new Counts(rec, t.getValue().rejected() - before.rejected()));
      }
    }
    Step s =
        new Step(
            nowMicros,
            new Counts(
                node.received() - lastNode.received(), node.rejected() - lastNode.rejected()),
            delta);
    lastNode = node;
    lastTenants = tenants;
    steps.addLast(s);
    apply(s, 1);
    while (!steps.isEmpty() && steps.peekFirst().atMicros() <= nowMicros - windowMicros) {
      apply(steps.removeFirst(), -1);
    }
  }

  private void apply(Step s, int sign) {
    nodeSum[0] += sign * s.node().received();
    nodeSum[1] += sign * s.node().rejected();
    for (Map.Entry<String, Counts> t : s.tenants().entrySet()) {
      long[] sum = sums.computeIfAbsent(t.getKey(), k -> new long[2]);
      sum[0] += sign * t.getValue().received();
      sum[1] += sign * t.getValue().rejected();
      if (sum[0] == 0) {
        sums.remove(t.getKey());
      }
    }
  }

  Counts node() {
    return new Counts(nodeSum[0], nodeSum[1]);
  }

  Counts tenant(String tenant) {
    long[] s = sums.get(tenant);
    return s == null ? new Counts(0, 0) : new Counts(s[0], s[1]);
  }
}
