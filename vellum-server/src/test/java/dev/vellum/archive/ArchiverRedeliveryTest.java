package dev.vellum.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vellum.store.RecordStore;
import dev.vellum.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the archiver only buffered when the node stopped is sealed after the next start. */
class ArchiverRedeliveryTest {
  @TempDir Path dir;

  @Test
  void sealsEventsThatWereOnlyBufferedWhenTheNodeStoppedExactlyOnce() throws Exception {
    try (TestNode first =
        TestNode.start(
            dir, c -> c.withArchive(c.archive().withBuffer(64L << 20, Duration.ofHours(1))))) {
      ArchiverTest.ingest(first, 4, "LOGIN_SUCCESSFUL");
      assertEquals(-1, ArchiveRecords.archivedThroughSeq(first.node().records(), "default"));
    }
    try (TestNode second = ArchiverTest.archivingNode(dir)) {
      ArchiverTest.ingest(second, 2, "LOGIN_SUCCESSFUL");
      ArchiverTest.awaitArchived(second, "default", 5);
      TreeSet<Long> seqs = new TreeSet<>();
      long count = 0;
      for (RecordStore.Entry f : ArchiverTest.files(second, "default")) {
        Manifest m = Manifest.parse(f.body());
        count += m.count();
        for (long[] r : m.seqRanges()) {
          for (long s = r[0]; s <= r[1]; s++) {
            seqs.add(s);
          }
        }
      }
      assertEquals(6, count, "every event sealed once");
      assertEquals(6, seqs.size());
      assertEquals(0L, seqs.first());
      assertEquals(5L, seqs.last());
    }
  }
}
