package dev.vellum.store;

import java.util.List;

/**
 * An event ready to be written: sequenced, hashed, and with the columns the indexes need.
 * {@code body} is the canonical JSON that {@code leafHash} commits to.
 */
public record NewEvent(
    String tenant,
    long seq,
    String id,
    long occurredAtMicros,
    long receivedAtMicros,
    String type,
    String category,
    String source,
    String outcome,
    String severity,
    String actorId,
    String actorIp,
    String sessionId,
    List<TargetKey> targets,
    List<String> tags,
    String searchText,
    byte[] leafHash,
    String body) {

  /** The (type, id) of one target of an event. */
  public record TargetKey(String type, String id) {}
}
