package dev.vellum.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of the events this node's ingest received and rejected, per tenant and in all, for
 * the self-alarm signals (rejection rate). Micrometer's {@code vellum_events_rejected_total} has no
 * tenant label on purpose (the scrape is operator-facing and a label per tenant is unbounded), so
 * the per-tenant view lives here, in memory: at most {@link #MAX_TENANTS} tenants are tracked, the
 * node totals always.
 */
public final class IngestCounts {
  /** More tenants than this are counted in the node totals only. */
  public static final int MAX_TENANTS = 10_000;

  /** Cumulative totals since the node started. */
  public record Totals(long received, long rejected) {}

  private final Map<String, LongAdder[]> byTenant = new ConcurrentHashMap<>();
  private final LongAdder received = new LongAdder();
  private final LongAdder rejected = new LongAdder();

  void add(String tenant, int receivedEvents, int rejectedEvents) {
    if (receivedEvents == 0) {
      return;
    }
    received.add(receivedEvents);
    rejected.add(rejectedEvents);
    LongAdder[] t = byTenant.get(tenant);
    if (t == null && byTenant.size() < MAX_TENANTS) {
      t = byTenant.computeIfAbsent(tenant, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
    }
    if (t != null) {
      t[0].add(receivedEvents);
      t[1].add(rejectedEvents);
    }
  }

  /** The node's totals. */
  public Totals node() {
    return new Totals(received.sum(), rejected.sum());
  }

  /** Each tracked tenant's totals (tenants that never sent an event are absent). */
  public Map<String, Totals> tenants() {
    Map<String, Totals> out = new java.util.HashMap<>();
    byTenant.forEach((k, v) -> out.put(k, new Totals(v[0].sum(), v[1].sum())));
    return out;
  }
}
