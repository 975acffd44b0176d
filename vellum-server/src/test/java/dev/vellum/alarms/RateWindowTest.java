package dev.vellum.alarms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vellum.ingest.IngestCounts.Totals;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RateWindowTest {
  private static final long S = 1_000_000L;

  @Test
  void rateIsRejectedOverReceivedWithinTheWindowAndZeroWithoutTraffic() {
    RateWindow w = new RateWindow(60 * S);
    w.add(0, new Totals(0, 0), Map.of());
    assertEquals(0.0, w.node().rate());
    w.add(10 * S, new Totals(10, 4), Map.of("acme", new Totals(10, 4)));
    assertEquals(0.4, w.node().rate(), 1e-9);
    assertEquals(0.4, w.tenant("acme").rate(), 1e-9);
    assertEquals(0.0, w.tenant("other").rate());
    w.add(20 * S, new Totals(20, 4), Map.of("acme", new Totals(20, 4)));
    assertEquals(0.2, w.tenant("acme").rate(), 1e-9);
    // 70 s: the step at 10 s left the window; only the 10 accepted events of 20 s remain
    w.add(70 * S, new Totals(20, 4), Map.of("acme", new Totals(20, 4)));
    assertEquals(new RateWindow.Counts(10, 0), w.tenant("acme"));
    w.add(80 * S, new Totals(20, 4), Map.of("acme", new Totals(20, 4)));
    assertEquals(new RateWindow.Counts(0, 0), w.tenant("acme"));
    assertEquals(new RateWindow.Counts(0, 0), w.node());
  }

  /** Seeded random traffic against a reference that keeps every step and sums the window. */
  @Test
  void agreesWithSummingTheStepsOfTheWindow() {
    Random random = new Random(7L);
    RateWindow w = new RateWindow(30 * S);
    Map<String, long[]> totals = new HashMap<>();
    java.util.List<Object[]> steps = new java.util.ArrayList<>();
    Map<String, Totals> previous = new HashMap<>();
    for (int i = 1; i <= 400; i++) {
      long now = i * 5 * S;
      for (String t : new String[] {"a", "b", "c"}) {
        if (random.nextInt(3) == 0) {
          long rec = 1 + random.nextInt(20);
          long[] tot = totals.computeIfAbsent(t, k -> new long[2]);
          tot[0] += rec;
          tot[1] += random.nextInt((int) rec + 1);
        }
      }
      Map<String, Totals> snapshot = new HashMap<>();
      totals.forEach((k, v) -> snapshot.put(k, new Totals(v[0], v[1])));
      steps.add(new Object[] {now, snapshot, Map.copyOf(previous)});
      w.add(now, new Totals(0, 0), snapshot);
      previous = snapshot;
      for (String t : new String[] {"a", "b", "c"}) {
        long rec = 0;
        long rej = 0;
        for (Object[] s : steps) {
          if ((long) s[0] > now - 30 * S) {
            @SuppressWarnings("unchecked")
            Map<String, Totals> after = (Map<String, Totals>) s[1];
            @SuppressWarnings("unchecked")
            Map<String, Totals> before = (Map<String, Totals>) s[2];
            Totals a = after.getOrDefault(t, new Totals(0, 0));
            Totals b = before.getOrDefault(t, new Totals(0, 0));
            rec += a.received() - b.received();
            rej += a.rejected() - b.rejected();
          }
        }
        assertEquals(new RateWindow.Counts(rec, rej), w.tenant(t), "tenant " + t + " at step " + i);
      }
    }
  }
}
