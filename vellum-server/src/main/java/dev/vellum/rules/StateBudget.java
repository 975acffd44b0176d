package dev.vellum.rules;

import java.util.concurrent.atomic.LongAdder;

/**
 * The node-wide bound on the rules engine's window state, shared out evenly over the rules it has
 * loaded. A bound per rule alone let 100 busy rules hold hundreds of MiB (and write all of it in
 * every snapshot); this keeps the whole engine within about {@link #TOTAL_GROUPS} groups and {@link
 * #TOTAL_HITS} remembered events, whatever the number of rules. Each rule keeps at least a small
 * share, so with very many rules a rule grouping by a field with many values forgets its least
 * recently active groups sooner; {@link #evicted} counts them.
 */
final class StateBudget {
  static final int TOTAL_GROUPS = 100_000;
  static final int TOTAL_HITS = 200_000;
  static final int MIN_GROUPS = 32;
  static final int MIN_HITS = 64;

  private final LongAdder evicted = new LongAdder();
  private volatile int rules = 1;

  /** The budget of a rule evaluated on its own (a rule test): the per-rule maximum. */
  static StateBudget forOneRule() {
    return new StateBudget();
  }

  void rulesLoaded(int count) {
    rules = Math.max(1, count);
  }

  int groupsPerRule() {
    return share(TOTAL_GROUPS, MIN_GROUPS, Evaluator.MAX_GROUPS);
  }

  int hitsPerRule() {
    return share(TOTAL_HITS, MIN_HITS, Evaluator.MAX_HITS);
  }

  void evicted(int groups) {
    evicted.add(groups);
  }

  /** Groups dropped to stay within the budget, since the start. */
  long evicted() {
    return evicted.sum();
  }

  private int share(int total, int min, int max) {
    return Math.max(min, Math.min(max, total / rules));
  }
}
