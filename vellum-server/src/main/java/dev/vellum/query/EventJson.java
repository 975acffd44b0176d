package dev.vellum.query;

import dev.vellum.store.StoredEvent;
import java.util.Base64;

/** Renders stored events for API responses: the stored body plus its {@code leaf_hash}. */
public final class EventJson {
  private EventJson() {}

  /**
   * The stored canonical body with {@code leaf_hash} (base64) spliced in as the first member.
   * Splicing instead of re-parsing keeps large pages cheap; the body is always a non-empty JSON
   * object because the sequencer wrote it.
   */
  public static String render(StoredEvent e) {
    String leaf = Base64.getEncoder().encodeToString(e.leafHash());
    return "{\"leaf_hash\":\"" + leaf + "\"," + e.body().substring(1);
  }
}
