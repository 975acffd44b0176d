package dev.vellum.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vellum.store.NewEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-COPY-per-seal writer: one file per group, rows in seq order, the same bytes again. */
class ParquetFilesTest {
  @TempDir Path dir;

  private static NewEvent event(long seq, String type) {
    String id = "0190aaaa-0000-7000-8000-" + String.format("%012d", seq);
    String body =
        "{\"id\":\""
            + id
            + "\",\"seq\":"
            + seq
            + ",\"tenant\":\"t\",\"type\":\""
            + type
            + "\",\"actor\":{\"type\":\"user\",\"id\":\"u"
            + seq % 7
            + "\"},\"targets\":[{\"type\":\"doc\",\"id\":\"d"
            + seq
            + "\"}]}";
    return new NewEvent(
        "t",
        seq,
        id,
        1_700_000_000_000_000L + seq,
        1_700_000_000_000_000L + seq,
        type,
        "general",
        "APP",
        "success",
        "info",
        "u" + seq % 7,
        null,
        null,
        new byte[32],
        body);
  }

  @Test
  void writesEachGroupToItsFileInSeqOrderAndTheSameBytesEveryTime() throws Exception {
    Random rnd = new Random(12);
    List<List<NewEvent>> groups = new ArrayList<>();
    long seq = 0;
    for (int g = 0; g < 25; g++) {
      List<NewEvent> events = new ArrayList<>();
      for (int i = 0; i < 1 + rnd.nextInt(300); i++) {
        events.add(event(seq, "TYPE_" + g));
        seq += 1 + rnd.nextInt(3);
      }
      groups.add(events);
    }
    List<Path> first = new ArrayList<>();
    List<Path> second = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      first.add(dir.resolve("a-" + g + ".parquet"));
      second.add(dir.resolve("b-" + g + ".parquet"));
    }
    try (ParquetFiles parquet = new ParquetFiles()) {
      parquet.sealAll(groups, first, dir);
      parquet.sealAll(groups, second, dir);
      for (int g = 0; g < groups.size(); g++) {
        List<ParquetFiles.Row> rows = parquet.read(first.get(g));
        assertEquals(groups.get(g).size(), rows.size());
        for (int i = 0; i < rows.size(); i++) {
          assertEquals(groups.get(g).get(i).seq(), rows.get(i).seq());
          assertEquals(groups.get(g).get(i).body(), rows.get(i).body());
        }
        assertArrayEquals(
            Files.readAllBytes(first.get(g)),
            Files.readAllBytes(second.get(g)),
            "a seal repeated after a crash gives the same bytes, so the same key");
      }
    }
    try (var left = Files.list(dir)) {
      assertEquals(50, left.count(), "no partition folders left behind");
    }
  }
}
