package dev.vellum.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The alarm state machine, as tables of samples: (seconds, holds) in, the step out. Times are given
 * in seconds and passed as micros, as the evaluator does.
 */
class AlarmStateTest {
  private static final long S = 1_000_000L;

  /** Runs the samples "t:h" (h = 1 holds, 0 does not) and returns the steps as letters. */
  private static String run(long forSeconds, long suppressSeconds, String samples) {
    AlarmState st = new AlarmState();
    StringBuilder out = new StringBuilder();
    for (String sample : samples.split(" ")) {
      String[] p = sample.split(":");
      AlarmState.Step step =
          st.observe(
              p[1].equals("1"), Long.parseLong(p[0]) * S, forSeconds * S, suppressSeconds * S);
      switch (step) {
        case FIRE -> {
          st.alertId = "alert-" + st.firingSince;
          out.append('F');
        }
        case RESOLVE -> {
          st.alertId = null;
          out.append('R');
        }
        case NONE -> out.append('.');
      }
    }
    return out.toString();
  }

  @Test
  void firesOnlyOnceTheConditionHeldForTheWholeDurationThenResolvesWhenItStops() {
    String[][] table = {
      // for, suppress, samples, steps
      {"0", "0", "0:1 10:1 20:0", "F.R"},
      {"30", "0", "0:1 10:1 20:1 30:1 40:1 50:0", "...F.R"},
      {"30", "0", "0:0 10:1 20:1 30:1 40:1", "....F"},
      {"30", "0", "0:1 10:1 20:1", "..."},
      {"10", "0", "0:0 10:0 20:0", "..."},
    };
    check(table);
  }

  @Test
  void flappingRestartsTheDurationSoABrokenRunNeverFires() {
    String[][] table = {
      {"30", "0", "0:1 10:1 20:1 25:0 30:1 40:1 50:1 60:1", ".......F"},
      {"20", "0", "0:1 10:1 15:0 20:1 30:1 35:0 40:1", "......."},
      // firing, a dip resolves, holding again must last the whole duration once more
      {"10", "0", "0:1 10:1 15:0 20:1 25:1 30:1", ".FR..F"},
    };
    check(table);
  }

  @Test
  void suppressionHoldsBackANewAlertUntilItsPeriodEndsWhileTheConditionStillHolds() {
    String[][] table = {
      // fired at 0, suppressed until 60: holds again at 20 but fires only at 60
      {"0", "60", "0:1 10:0 20:1 30:1 60:1 70:0", "FR..FR"},
      // after the suppression period a new episode fires at once
      {"0", "30", "0:1 10:0 40:1", "FRF"},
    };
    check(table);
  }

  @Test
  void countsASuppressedEpisodeOnce() {
    AlarmState st = new AlarmState();
    assertEquals(AlarmState.Step.FIRE, st.observe(true, 0, 0, 100 * S));
    st.alertId = "a";
    assertEquals(AlarmState.Step.RESOLVE, st.observe(false, 10 * S, 0, 100 * S));
    st.alertId = null;
    for (int t = 20; t < 60; t += 10) {
      assertEquals(AlarmState.Step.NONE, st.observe(true, t * S, 0, 100 * S));
    }
    assertEquals(1, st.suppressed);
  }

  /**
   * Seeded random runs against a naive reference: fire when the samples since the last break all
   * held and span at least the duration, no alert is firing and suppression is over.
   */
  @Test
  void agreesWithANaiveReferenceOnRandomSampleRuns() {
    Random random = new Random(20261130L);
    for (int run = 0; run < 500; run++) {
      long forS = random.nextInt(4) * 10L;
      long suppressS = random.nextInt(4) * 15L;
      List<boolean[]> samples = new ArrayList<>();
      StringBuilder spec = new StringBuilder();
      long t = 0;
      for (int i = 0; i < 30; i++) {
        boolean h = random.nextInt(10) < 7;
        samples.add(new boolean[] {h});
        spec.append(i == 0 ? "" : " ").append(t).append(':').append(h ? 1 : 0);
        t += 5;
      }
      assertEquals(
          reference(forS, suppressS, samples),
          run(forS, suppressS, spec.toString()),
          spec::toString);
    }
  }

  private static String reference(long forS, long suppressS, List<boolean[]> samples) {
    StringBuilder out = new StringBuilder();
    boolean firing = false;
    long suppressedUntil = Long.MIN_VALUE;
    int start = -1;
    for (int i = 0; i < samples.size(); i++) {
      long now = i * 5L;
      if (!samples.get(i)[0]) {
        start = -1;
        out.append(firing ? 'R' : '.');
        firing = false;
        continue;
      }
      if (start < 0) {
        start = i;
      }
      if (!firing && now - start * 5L >= forS && now >= suppressedUntil) {
        firing = true;
        suppressedUntil = now + suppressS;
        out.append('F');
      } else {
        out.append('.');
      }
    }
    return out.toString();
  }

  private static void check(String[][] table) {
    for (String[] row : table) {
      assertEquals(
          row[3],
          run(Long.parseLong(row[0]), Long.parseLong(row[1]), row[2]),
          () -> "for " + row[0] + " s, suppress " + row[1] + " s, samples " + row[2]);
    }
  }
}
