package dev.vellum.query;

import dev.vellum.ingest.Times;
import dev.vellum.store.StoredEvent;
import java.util.Base64;

/**
 * Renders stored events for API responses: the stored body plus its {@code leaf_hash}, and for an
 * event a restore brought back from the archive {@code "restored": true} and {@code restored_until}
 * (outside the hashed body, which is never rewritten).
 */
public final class EventJson {
  private EventJson() {}

  /**
   * The stored canonical body with {@code leaf_hash} (base64) spliced in as the first member.
   * Splicing instead of re-parsing keeps large pages cheap; the body is always a non-empty JSON
   * object because the sequencer wrote it.
   */
  public static String render(StoredEvent e) {
    String leaf = Base64.getEncoder().encodeToString(e.leafHash());
    Long until = e.restoredUntilMicros();
    String restored =
        until == null
            ? ""
            : "\"restored\":true,\"restored_until\":\"" + Times.formatMicros(until) + "\",";
    return "{\"leaf_hash\":\"" + leaf + "\"," + restored + e.body().substring(1);
  }
}
