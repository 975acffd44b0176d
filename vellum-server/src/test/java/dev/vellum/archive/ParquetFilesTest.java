package dev.vellum.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.store.NewEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
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

  @Test
  void aSealTakenInSeveralCopiesWritesTheSameFilesAsOneCopy() throws Exception {
    List<List<NewEvent>> groups = new ArrayList<>();
    long seq = 0;
    for (int g = 0; g < 12; g++) {
      List<NewEvent> events = new ArrayList<>();
      for (int i = 0; i < 40 + 30 * g; i++) {
        events.add(event(seq++, "TYPE_" + g));
      }
      groups.add(events);
    }
    long groupChars = groups.get(0).stream().mapToLong(e -> e.body().length()).sum();
    List<Path> whole = new ArrayList<>();
    List<Path> runs = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      whole.add(dir.resolve("whole-" + g + ".parquet"));
      runs.add(dir.resolve("runs-" + g + ".parquet"));
    }
    try (ParquetFiles one = new ParquetFiles();
        ParquetFiles several = new ParquetFiles(3 * groupChars)) {
      one.sealAll(groups, whole, dir);
      several.sealAll(groups, runs, dir);
      for (int g = 0; g < groups.size(); g++) {
        assertEquals(groups.get(g).size(), several.read(runs.get(g)).size());
        assertArrayEquals(
            Files.readAllBytes(whole.get(g)),
            Files.readAllBytes(runs.get(g)),
            "group " + g + " is the same file whichever groups shared its COPY");
      }
    }
  }

  @Test
  void eachBodyColumnLandsInTheColumnOfItsName() throws Exception {
    String body =
        "{\"actor\":{\"type\":\"user\",\"id\":\"u1\",\"name\":\"Ann\",\"ip\":\"10.0.0.1\","
            + "\"user_agent\":\"ua\",\"device\":{\"os\":\"x\"},\"location\":{\"c\":\"DE\"}},"
            + "\"targets\":[{\"id\":\"d\"}],\"changes\":[1],\"tags\":[\"t\"],"
            + "\"metadata\":{\"k\":\"v\"},\"session_id\":\"s\",\"request_id\":\"r\","
            + "\"related_event_id\":\"e\",\"reason\":\"why\",\"leaf_version\":2}";
    NewEvent e = event(1, "T");
    NewEvent full =
        new NewEvent(
            e.tenant(),
            e.seq(),
            e.id(),
            e.occurredAtMicros(),
            e.receivedAtMicros(),
            e.type(),
            e.category(),
            e.source(),
            e.outcome(),
            e.severity(),
            e.actorId(),
            null,
            null,
            e.leafHash(),
            body);
    Path file = dir.resolve("one.parquet");
    try (ParquetFiles parquet = new ParquetFiles()) {
      parquet.sealAll(List.of(List.of(full)), List.of(file), dir);
    }
    String columns =
        "actor_type, actor_id, actor_name, actor_ip, actor_user_agent, actor_device,"
            + " actor_location, targets, changes, tags, metadata, session_id, request_id,"
            + " related_event_id, reason, leaf_version";
    List<String> got = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + columns + " FROM read_parquet('" + file + "')")) {
      assertTrue(rs.next());
      for (int i = 1; i <= 16; i++) {
        got.add(rs.getString(i));
      }
    }
    assertEquals(
        List.of(
            "user",
            "u1",
            "Ann",
            "10.0.0.1",
            "ua",
            "{\"os\":\"x\"}",
            "{\"c\":\"DE\"}",
            "[{\"id\":\"d\"}]",
            "[1]",
            "[\"t\"]",
            "{\"k\":\"v\"}",
            "s",
            "r",
            "e",
            "why",
            "2"),
        got);
  }
}
