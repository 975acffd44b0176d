package dev.vellum.search.lucene;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Which writer generation makes each recently handed feed position searchable, so that a search
 * waits for the reopen that shows the events it needs and not for every event handed since. Each
 * search writes an access record of its own; waiting for everything handed made every search wait
 * for a reopen that showed the previous search's record.
 *
 * <p>Written by the one thread that hands events to the writer, read by searches. Positions that a
 * searcher already shows are forgotten; at most {@link #MAX_ENTRIES} are kept, and when older ones
 * are dropped a position waits for a later generation, which shows it too.
 */
final class PendingVisibility {
  static final int MAX_ENTRIES = 4_096;

  private final ConcurrentSkipListMap<Long, Long> generationByPosition =
      new ConcurrentSkipListMap<>();
  private int entries; // the map's size, which it can only count by walking it
  private volatile long searchableThrough;
  private volatile long lastGeneration;

  /** {@code generation} is the writer's after the batch that ends at {@code position}. */
  void handed(long position, long generation, long searchingGeneration) {
    if (generationByPosition.put(position, generation) == null) {
      entries++;
    }
    lastGeneration = generation;
    for (Map.Entry<Long, Long> head = generationByPosition.firstEntry();
        head != null;
        head = generationByPosition.firstEntry()) {
      if (head.getValue() <= searchingGeneration) {
        searchableThrough = Math.max(searchableThrough, head.getKey()); // before the removal
      } else if (entries <= MAX_ENTRIES) {
        return;
      }
      generationByPosition.remove(head.getKey());
      entries--;
    }
  }

  /**
   * The generation a searcher must show for {@code position} to be searchable: 0 when it already
   * is; the last handed generation for a position beyond everything handed.
   */
  long generationFor(long position) {
    if (position <= searchableThrough) {
      return 0;
    }
    Map.Entry<Long, Long> covering = generationByPosition.ceilingEntry(position);
    return covering != null ? covering.getValue() : lastGeneration;
  }
}
