package dev.vellum.search.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PendingVisibilityTest {
  @Test
  void aPositionWaitsForTheGenerationOfTheBatchThatHeldIt() {
    PendingVisibility v = new PendingVisibility();
    v.handed(10, 3, 0);
    v.handed(20, 5, 0);
    assertEquals(3, v.generationFor(4), "inside the first batch");
    assertEquals(3, v.generationFor(10));
    assertEquals(5, v.generationFor(11), "not the later batches' generation");
    assertEquals(5, v.generationFor(20));
    assertEquals(5, v.generationFor(99), "beyond everything handed: the last generation");
  }

  @Test
  void aPositionASearcherAlreadyShowsWaitsForNothing() {
    PendingVisibility v = new PendingVisibility();
    v.handed(10, 3, 0);
    v.handed(20, 5, 3); // the searcher shows generation 3 by the time the second batch is handed
    assertEquals(0, v.generationFor(10));
    assertEquals(0, v.generationFor(1));
    assertEquals(5, v.generationFor(15));
  }

  @Test
  void keepsABoundedNumberOfPositionsAndADroppedOneWaitsForALaterGeneration() {
    PendingVisibility v = new PendingVisibility();
    int batches = PendingVisibility.MAX_ENTRIES + 10;
    for (int i = 1; i <= batches; i++) {
      v.handed(i * 10L, i, 0); // nothing is searchable yet
    }
    long first = v.generationFor(5);
    assertEquals(11, first, "the first ten were dropped: the eleventh batch's generation covers");
    assertEquals(batches, v.generationFor(batches * 10L));
  }
}
