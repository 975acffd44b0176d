package dev.vellum.rules;

/**
 * The state machine of one alarm (one rule, on one node for node signals): it fires when the
 * condition has held at every sample for the rule's {@code for} duration and suppression allows,
 * and resolves at the first sample where it no longer holds. A sample without a value (an unknown
 * consumer, a tenant not sampled) counts as not holding. Pure: the caller passes the time and acts
 * on the answer, so table tests can drive it.
 */
final class AlarmState {
  /** What the caller must do after a sample. */
  enum Step {
    NONE,
    FIRE,
    RESOLVE
  }

  /** Since when the condition holds without a break; -1 when it does not hold. */
  long holdingSince = -1;

  /** The firing alert's id; null when none is firing. */
  @org.jspecify.annotations.Nullable String alertId;

  /** When the firing alert's condition began to hold (its alert id is derived from it). */
  long firingSince;

  /** No new alert before this time (the rule's suppression period after the last firing). */
  long suppressedUntil;

  /** Firings that suppression held back. */
  long suppressed;

  /** Whether the last sample was held back by suppression (counted once per episode). */
  private boolean inSuppression;

  Step observe(boolean holds, long nowMicros, long forMicros, long suppressMicros) {
    if (!holds) {
      holdingSince = -1;
      inSuppression = false;
      return alertId != null ? Step.RESOLVE : Step.NONE;
    }
    if (holdingSince < 0) {
      holdingSince = nowMicros;
    }
    if (alertId != null || nowMicros - holdingSince < forMicros) {
      return Step.NONE;
    }
    if (nowMicros < suppressedUntil) {
      if (!inSuppression) {
        suppressed++;
        inSuppression = true;
      }
      return Step.NONE;
    }
    inSuppression = false;
    firingSince = holdingSince;
    suppressedUntil = nowMicros + suppressMicros;
    return Step.FIRE;
  }
}
