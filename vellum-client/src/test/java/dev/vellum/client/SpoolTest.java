package dev.vellum.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's file format and recovery, without a server: the sender's side is played here. */
class SpoolTest {
  @TempDir Path dir;

  record Damage(Path segment, long offset, long bytes, String reason) {}

  final class Hooks implements Spool.Hooks {
    final List<Damage> damage = new CopyOnWriteArrayList<>();
    volatile long spooled;
    volatile long replayed;

    @Override
    public CompletableFuture<Receipt> futureOf(String id) {
      return null;
    }

    @Override
    public synchronized void spooled(List<Entry> group) {
      spooled += group.size();
    }

    @Override
    public void writeFailed(List<Entry> group, IOException cause) {
      throw new AssertionError(cause);
    }

    @Override
    public void replayed(long events) {
      replayed = events;
    }

    @Override
    public void damage(Path segment, long offset, long bytesSkipped, String reason) {
      damage.add(new Damage(segment, offset, bytesSkipped, reason));
    }
  }

  private Spool open(Hooks h) throws IOException {
    return new Spool(dir, 100, 64 * 1024, 1 << 30, h);
  }

  private static Entry event(int i) {
    String id = "0190f3c2-8d4e-7b1a-9c3f-" + String.format("%012d", i);
    return new Entry(
        id,
        ("{\"id\":\"" + id + "\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8),
        null,
        null);
  }

  private static void write(Spool s, Hooks h, int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      assertTrue(s.offer(event(i), TimeUnit.SECONDS.toNanos(5)));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (h.spooled < to - from && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertEquals(to - from, h.spooled);
  }

  /** Reads everything available without settling it, as a crash before any answer would. */
  private static List<String> readAll(Spool s) throws Exception {
    List<String> ids = new ArrayList<>();
    s.hurry(true);
    while (s.pending() > ids.size()) {
      for (Entry e : s.take(1000, 1 << 20, 0)) {
        ids.add(e.id);
      }
    }
    return ids;
  }

  private Path onlySegment() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> segs =
          files
              .filter(p -> p.getFileName().toString().startsWith("segment-"))
              .filter(p -> p.toFile().length() > 0)
              .toList();
      assertEquals(1, segs.size(), segs.toString());
      return segs.get(0);
    }
  }

  @Test
  void unsettledEvents_areReplayedInOrderByTheNextSpool() throws Exception {
    Hooks h = new Hooks();
    Spool s = open(h);
    write(s, h, 0, 50);
    s.close();

    Hooks h2 = new Hooks();
    Spool again = open(h2);
    assertEquals(50, h2.replayed);
    List<String> ids = readAll(again);
    assertEquals(50, ids.size());
    assertEquals(event(0).id, ids.get(0));
    assertEquals(event(49).id, ids.get(49));
    assertTrue(h2.damage.isEmpty());
    again.close();
  }

  @Test
  void settledEvents_deleteTheirSegmentAndAreNotReplayed() throws Exception {
    Hooks h = new Hooks();
    Spool s = open(h);
    write(s, h, 0, 20);
    s.hurry(true);
    List<Entry> taken = s.take(1000, 1 << 20, 0);
    assertEquals(20, taken.size());
    taken.forEach(s::settled);
    s.close();

    Hooks h2 = new Hooks();
    Spool again = open(h2);
    assertEquals(0, h2.replayed);
    assertEquals(0, again.pending());
    again.close();
  }

  @Test
  void tornLastRecord_isSkippedAndReported_andEarlierRecordsSurvive() throws Exception {
    Hooks h = new Hooks();
    Spool s = open(h);
    write(s, h, 0, 10);
    s.close();
    Path seg = onlySegment();
    long intact = Files.size(seg);
    // a crash in the middle of writing record 10: its header and half its payload reached disk
    byte[] next = Spool.encode(event(10));
    Files.write(seg, java.util.Arrays.copyOf(next, next.length / 2), StandardOpenOption.APPEND);

    Hooks h2 = new Hooks();
    Spool again = open(h2);
    assertEquals(10, h2.replayed);
    assertEquals(1, h2.damage.size(), h2.damage.toString());
    Damage d = h2.damage.get(0);
    assertEquals(intact, d.offset());
    assertEquals(next.length / 2, d.bytes());
    assertTrue(d.reason().contains("torn"), d.reason());
    assertEquals(10, readAll(again).size());
    again.close();
  }

  @Test
  void damagedRecordInTheMiddle_isSkipped_andTheRecordsAfterItSurvive() throws Exception {
    Hooks h = new Hooks();
    Spool s = open(h);
    write(s, h, 0, 10);
    s.close();
    Path seg = onlySegment();
    byte[] data = Files.readAllBytes(seg);
    int recordLength = Spool.encode(event(0)).length;
    data[3 * recordLength + Spool.HEADER_BYTES + 5] ^= 0x01; // one bit of record 3's payload
    Files.write(seg, data);

    Hooks h2 = new Hooks();
    Spool again = open(h2);
    assertEquals(9, h2.replayed);
    assertEquals(1, h2.damage.size(), h2.damage.toString());
    assertEquals(3L * recordLength, h2.damage.get(0).offset());
    assertEquals(recordLength, h2.damage.get(0).bytes());
    List<String> ids = readAll(again);
    assertEquals(9, ids.size());
    assertTrue(!ids.contains(event(3).id) && ids.contains(event(4).id), ids.toString());
    again.close();
  }

  @Test
  void segmentOfOnlyGarbage_isReportedAndRemoved() throws Exception {
    Files.write(dir.resolve("segment-0000000000000007.log"), new byte[] {1, 2, 3, 4, 5});
    Hooks h = new Hooks();
    Spool s = open(h);
    assertEquals(0, h.replayed);
    assertEquals(1, h.damage.size());
    assertEquals(5, h.damage.get(0).bytes());
    assertTrue(Files.notExists(dir.resolve("segment-0000000000000007.log")));
    s.close();
  }

  @Test
  void eventsBeyondASegment_rollToNewSegmentsAndAllReplay() throws Exception {
    Hooks h = new Hooks();
    Spool s = new Spool(dir, 100, 4096, 1 << 30, h);
    write(s, h, 0, 200); // ~ 70 bytes each: several 4 KiB segments
    s.close();
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(files.filter(p -> p.getFileName().toString().startsWith("segment-")).count() > 2);
    }
    Hooks h2 = new Hooks();
    Spool again = new Spool(dir, 100, 4096, 1 << 30, h2);
    assertEquals(200, readAll(again).size());
    again.close();
  }

  @Test
  void secondSpoolOnTheSameDirectory_isRefused() throws Exception {
    Spool s = open(new Hooks());
    IOException e = assertThrows(IOException.class, () -> open(new Hooks()));
    assertTrue(e.getMessage().contains("in use"), e.getMessage());
    s.close();
  }
}
