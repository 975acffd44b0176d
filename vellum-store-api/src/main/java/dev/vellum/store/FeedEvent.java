package dev.vellum.store;

/**
 * A committed event at its place in the committed-event feed. {@code position} is assigned in the
 * commit transaction and is strictly increasing in commit order across all tenants. {@code
 * restored} marks an event that {@link EventStore#restore} brought back from the archive: it was in
 * the feed once already, so consumers that must not act twice on an event (rules, alerts, the
 * archiver) skip it, while rebuildable ones (the search index) take it.
 */
public record FeedEvent(long position, NewEvent event, boolean restored) {

  /** An event as the sequencer commits it (not restored). */
  public FeedEvent(long position, NewEvent event) {
    this(position, event, false);
  }
}
