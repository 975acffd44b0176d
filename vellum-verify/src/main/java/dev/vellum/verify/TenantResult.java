package dev.vellum.verify;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What the offline check of one tenant's log found. Filled by a single thread. */
final class TenantResult {
  /** Findings kept in full per tenant; the rest are only counted. */
  static final int MAX_KEPT = 20;

  final String tenant;
  long events;

  /** Leaves of events hot retention deleted (archived), taken from the stored tiles. */
  long archived;

  /** Leaves of the rebuilt tree, or -1 if the replay stopped at a gap in seq. */
  long treeSize = -1;

  byte @Nullable [] root;
  long tiles;
  long checkpoints;
  long savedCheckpoints;
  long findingCount;
  long firstBadSeq = Finding.NO_SEQ;
  final List<Finding> findings = new ArrayList<>();

  TenantResult(String tenant) {
    this.tenant = tenant;
  }

  void add(Finding f) {
    findingCount++;
    if (findings.size() < MAX_KEPT) {
      findings.add(f);
    }
    if (f.seq() >= 0 && (firstBadSeq < 0 || f.seq() < firstBadSeq)) {
      firstBadSeq = f.seq();
    }
  }

  boolean clean() {
    return findingCount == 0;
  }
}
