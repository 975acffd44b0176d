package dev.vellum.store;

import java.util.List;
import java.util.Map;

/**
 * Everything one writer transaction commits: new events with the tiles they change, signed
 * checkpoints, feed consumers' positions and dead letters. The writer is the only one that writes,
 * so all of these travel through it.
 */
public record WriteBatch(
    List<NewEvent> events,
    List<TileWrite> tiles,
    List<TenantCheckpoint> checkpoints,
    Map<String, Long> consumerPositions,
    List<DeadLetter> deadLetters) {

  /** A checkpoint to keep for {@code tenant}. */
  public record TenantCheckpoint(String tenant, StoredCheckpoint checkpoint) {}

  public WriteBatch {
    events = List.copyOf(events);
    tiles = List.copyOf(tiles);
    checkpoints = List.copyOf(checkpoints);
    consumerPositions = Map.copyOf(consumerPositions);
    deadLetters = List.copyOf(deadLetters);
  }

  public static WriteBatch ofEvents(List<NewEvent> events, List<TileWrite> tiles) {
    return new WriteBatch(events, tiles, List.of(), Map.of(), List.of());
  }

  public boolean isEmpty() {
    return events.isEmpty()
        && tiles.isEmpty()
        && checkpoints.isEmpty()
        && consumerPositions.isEmpty()
        && deadLetters.isEmpty();
  }
}
