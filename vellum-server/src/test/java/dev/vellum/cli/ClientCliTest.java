package dev.vellum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.testing.TestNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** vellum send, query, tail, keys, sources and types, end to end against a real node. */
class ClientCliTest {
  @TempDir static Path tmp;
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(tmp.resolve("node"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private record Run(int exit, String out, String err) {}

  private static Run vellum(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--url=" + node.url(""));
    if (!List.of(args).contains("--key")) {
      all.add("--key=" + TestNode.ADMIN_KEY);
    }
    CommandLine cli =
        VellumCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    int exit = cli.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void sendFromFlags_storesTheEvent_andQueryFindsIt() throws Exception {
    Run sent =
        vellum(
            "send",
            "--type",
            "LOGIN_SUCCESSFUL",
            "--source",
            "DEMO_APP",
            "--actor",
            "cli-alice",
            "--actor-ip",
            "10.0.0.1",
            "--outcome",
            "success",
            "-m",
            "login_method=PASSWORD",
            "--tag",
            "cli-flags");
    assertEquals(0, sent.exit(), sent.err());
    assertTrue(sent.out().contains("accepted"), sent.out());

    Run found = vellum("query", "--tag", "cli-flags", "-o", "json");
    assertEquals(0, found.exit(), found.err());
    List<String> lines = found.out().lines().toList();
    assertEquals(1, lines.size(), found.out());
    JsonNode e = new ObjectMapper().readTree(lines.get(0));
    assertEquals("cli-alice", e.at("/actor/id").asText());
    assertEquals("PASSWORD", e.at("/metadata/login_method").asText());
  }

  @Test
  void sendJsonLines_storesTheValidOnes_reportsTheRejectedOneAndExits1() throws Exception {
    String good =
        "{\"source\":\"DEMO_APP\",\"type\":\"LOGIN_SUCCESSFUL\",\"outcome\":\"success\","
            + "\"actor\":{\"id\":\"u%d\"},\"metadata\":{\"login_method\":\"SSO\"},\"tags\":[\"cli-lines\"]}";
    Path file = tmp.resolve("events.jsonl");
    Files.writeString(
        file,
        String.format(good, 1)
            + "\n"
            + String.format(good, 2)
            + "\n"
            + "{\"source\":\"DEMO_APP\",\"type\":\"LOGIN_SUCCESSFUL\",\"tags\":[\"cli-lines\"]}\n");
    Run sent = vellum("send", "--input", file.toString());
    assertEquals(1, sent.exit(), sent.err());
    assertTrue(sent.err().contains("rejected") && sent.err().contains("/actor"), sent.err());
    assertTrue(sent.err().contains("sent 2,"), sent.err());

    Run csv = vellum("query", "--tag", "cli-lines", "--order", "asc", "-o", "csv");
    assertEquals(0, csv.exit(), csv.err());
    List<String> lines = csv.out().lines().toList();
    assertEquals("occurred_at,type,source,actor_id,outcome,seq,id", lines.get(0));
    assertEquals(3, lines.size(), csv.out());
  }

  @Test
  void keysCreateListRevoke_roundTrip_andTheNewKeyWorksUntilRevoked() {
    Run created =
        vellum(
            "keys",
            "create",
            "cli-writer",
            "--scope",
            "events:write,log:read",
            "--source",
            "DEMO_APP");
    assertEquals(0, created.exit(), created.err());
    String id = field(created.out(), "id");
    String secret = field(created.out(), "api_key");
    assertTrue(vellum("keys", "list").out().contains(id));

    Run asNewKey = vellum("sources", "--key", secret);
    assertEquals(0, asNewKey.exit(), asNewKey.err());
    assertTrue(asNewKey.out().contains("DEMO_APP"), asNewKey.out());

    assertEquals(0, vellum("keys", "revoke", id).exit());
    Run refused = vellum("sources", "--key", secret);
    assertEquals(2, refused.exit());
    assertTrue(refused.err().contains("HTTP 401"), refused.err());
  }

  @Test
  void typesListsBuiltInTypes_andShowsOneWithItsSchema() {
    Run list = vellum("types");
    assertEquals(0, list.exit(), list.err());
    assertTrue(list.out().contains("LOGIN_FAILED"), list.out());
    Run one = vellum("types", "LOGIN_FAILED");
    assertEquals(0, one.exit(), one.err());
    assertTrue(one.out().contains("\"schema\"") || one.out().contains("$schema"), one.out());
  }

  @Test
  void tailPrintsTheNewestMatchingEventsOldestFirst() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(
          200,
          node.post("/v1/events", TestNode.ADMIN_KEY, node.loginEvent("tail-newest")).status());
    }
    Run tail = vellum("tail", "-n", "2", "--actor-id", "tail-newest", "-o", "json");
    assertEquals(0, tail.exit(), tail.err());
    List<String> lines = tail.out().lines().toList();
    assertEquals(2, lines.size(), tail.out());
    long first = node.json.readTree(lines.get(0)).get("seq").asLong();
    long second = node.json.readTree(lines.get(1)).get("seq").asLong();
    assertTrue(first < second, "oldest of the newest first: " + lines);
  }

  @Test
  void tailFollowPrintsAnEventStoredWhileItRuns() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli =
        VellumCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err, true));
    Thread follower =
        new Thread(
            () ->
                cli.execute(
                    "tail",
                    "-f",
                    "-n",
                    "5",
                    "--actor-id",
                    "tail-live",
                    "-o",
                    "json",
                    "--url=" + node.url(""),
                    "--key=" + TestNode.ADMIN_KEY));
    follower.setDaemon(true);
    follower.start();
    String id =
        node.post("/v1/events", TestNode.ADMIN_KEY, node.loginEvent("tail-live"))
            .body()
            .get("results")
            .get(0)
            .get("id")
            .asText();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (!out.toString().contains(id) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    follower.interrupt();
    assertTrue(out.toString().contains(id), "tail -f printed the new event: " + out + err);
    assertEquals(
        1,
        out.toString().lines().filter(l -> l.contains(id)).count(),
        "printed once, by the search or by the stream");
  }

  @Test
  void missingKey_isAUsageErrorNamingVellumKey() {
    StringWriter err = new StringWriter();
    int exit =
        VellumCli.commandLine()
            .setErr(new PrintWriter(err))
            .execute("query", "--url=" + node.url(""), "--key=");
    assertEquals(2, exit);
    assertTrue(err.toString().contains("VELLUM_KEY"), err.toString());
  }

  private static String field(String out, String name) {
    return out.lines()
        .filter(l -> l.startsWith(name + " "))
        .findFirst()
        .orElseThrow()
        .substring(name.length())
        .trim()
        .split(" ")[0];
  }
}
