package dev.vellum.cli;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.testing.TestNode;
import dev.vellum.testing.TestNode.Reply;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vellum search rebuild}: a fresh index from the log, and never beside a running server. */
class SearchRebuildCliTest {
  @TempDir Path tmp;
  private static final Instant BASE =
      Instant.now().minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS);

  private record Run(int exit, String output) {
    List<String> lines() {
      return output.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  private static Run vellum(String... args) {
    StringWriter sw = new StringWriter();
    PrintWriter pw = new PrintWriter(sw);
    int exit = VellumCli.commandLine().setOut(pw).setErr(pw).execute(args);
    pw.flush();
    return new Run(exit, sw.toString());
  }

  private static String q(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }

  /** Answers that the node's own access records cannot change: every query filters them out. */
  private static Map<String, String> answers(TestNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    // the node records every read as an event occurring now: the range ends well before that
    String range =
        "&from="
            + q(BASE.toString())
            + "&to="
            + q(BASE.plus(1, ChronoUnit.HOURS).toString())
            + "&limit=1000";
    for (String query :
        List.of(
            "/v1/events?type=LOGIN_FAILED" + range,
            "/v1/events?actor_id=user-3" + range,
            "/v1/events?q=kangaroo" + range,
            "/v1/events?q=rout&source=BILLING&order=asc" + range,
            "/v1/events?tag=even&outcome=success" + range)) {
      Reply r = node.get(query, ADMIN_KEY);
      assertEquals(200, r.status(), r.raw().body());
      List<String> ids = new ArrayList<>();
      r.body().get("events").forEach(e -> ids.add(e.get("id").asText()));
      out.put(query, ids.toString());
    }
    for (String group : List.of("type", "outcome", "source")) {
      String stats =
          "/v1/events/stats?interval=7m&group_by="
              + group
              + "&from="
              + q(BASE.toString())
              + "&to="
              + q(BASE.plus(1, ChronoUnit.HOURS).toString());
      Reply r = node.get(stats, ADMIN_KEY);
      assertEquals(200, r.status(), r.raw().body());
      out.put(stats, r.body().get("buckets").toString());
    }
    return out;
  }

  private static void ingest(TestNode node) {
    node.put("/v1/sources/BILLING", ADMIN_KEY, "{\"name\":\"Billing\"}");
    ArrayNode batch = node.json.createArrayNode();
    for (int i = 0; i < 40; i++) {
      ObjectNode e = node.loginEvent("user-" + (i % 7));
      e.put("occurred_at", BASE.plus(i, ChronoUnit.MINUTES).toString());
      if (i % 6 == 0) {
        e.put("type", "LOGIN_FAILED").put("outcome", "failure");
        e.with("metadata").put("login_failure_code", "INCORRECT_PASSWORD");
      }
      e.putArray("tags").add(i % 2 == 0 ? "even" : "odd");
      e.put("reason", i == 11 ? "kangaroo at the door" : "routine");
      if (i >= 30) {
        e.put("source", "BILLING");
      }
      batch.add(e);
    }
    Reply r = node.post("/v1/events", ADMIN_KEY, batch);
    assertEquals(200, r.status(), r.raw().body());
  }

  private static double rebuildsAtStart(TestNode node) {
    Matcher m =
        Pattern.compile("(?m)^vellum_search_index_rebuilds_total (\\S+)$")
            .matcher(node.get("/metrics", null).raw().body());
    assertTrue(m.find(), "the rebuild counter is exported");
    return Double.parseDouble(m.group(1));
  }

  @Test
  void rebuildOfADamagedIndexGivesTheSameAnswersAndAnIndexTheServerKeeps() throws Exception {
    Path data = tmp.resolve("data");
    Map<String, String> before;
    try (TestNode node = TestNode.start(data)) {
      ingest(node);
      before = answers(node);
    }
    Path index = data.resolve("search-index");
    try (Stream<Path> files = Files.list(index)) {
      for (Path f : files.filter(f -> !f.getFileName().toString().equals("write.lock")).toList()) {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
          raf.seek(raf.length() / 2);
          raf.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
      }
    }

    Run r = vellum("search", "rebuild", "--data-dir", data.toString());

    assertEquals(0, r.exit(), r.output());
    Matcher done =
        Pattern.compile("search index rebuilt: (\\d+) events indexed, committed at feed position")
            .matcher(r.output());
    assertTrue(done.find(), r.output());
    assertTrue(Long.parseLong(done.group(1)) >= 40, r.output());
    try (TestNode node = TestNode.start(data)) {
      assertEquals(0.0, rebuildsAtStart(node), "the server found the rebuilt index sound");
      assertEquals(before, answers(node));
    }
  }

  @Test
  void rebuildOfADeletedIndexGivesTheSameAnswers() throws Exception {
    Path data = tmp.resolve("data");
    Map<String, String> before;
    try (TestNode node = TestNode.start(data)) {
      ingest(node);
      before = answers(node);
    }
    try (Stream<Path> all = Files.walk(data.resolve("search-index"))) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }

    Run r = vellum("search", "rebuild", "--data-dir", data.toString());

    assertEquals(0, r.exit(), r.output());
    try (TestNode node = TestNode.start(data)) {
      assertEquals(0.0, rebuildsAtStart(node));
      assertEquals(before, answers(node));
    }
  }

  @Test
  void rebuildBesideARunningServerExits3WithOneLineAndLeavesTheIndexAlone() {
    Path data = tmp.resolve("data");
    try (TestNode node = TestNode.start(data)) {
      ingest(node);
      Map<String, String> before = answers(node);

      Run r = vellum("search", "rebuild", "--data-dir", data.toString());

      assertEquals(3, r.exit(), r.output());
      assertEquals(1, r.lines().size(), r.output());
      assertTrue(r.output().startsWith("vellum: cannot rebuild the search index: "), r.output());
      assertTrue(r.output().contains("in use by another Vellum server"), r.output());
      assertEquals(before, answers(node));
    }
  }

  @Test
  void rebuildOfADirWithoutDataExits3AndCreatesNothing() {
    Path absent = tmp.resolve("absent");
    Run r = vellum("search", "rebuild", "--data-dir", absent.toString());
    assertEquals(3, r.exit(), r.output());
    assertEquals(1, r.lines().size(), r.output());
    assertTrue(r.output().contains("holds no Vellum data"), r.output());
    assertTrue(Files.notExists(absent));
  }

  @Test
  void searchWithoutASubcommandPrintsItsUsageAndExits2() {
    Run r = vellum("search");
    assertEquals(2, r.exit(), r.output());
    assertTrue(r.output().contains("rebuild"), r.output());
  }
}
