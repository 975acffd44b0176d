package dev.vellum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.testing.TestNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** vellum analytics against a real node. */
class AnalyticsCliTest {
  @TempDir Path tmp;

  private static String[] run(TestNode node, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--url=" + node.url("");
    all[args.length + 1] = "--key=" + TestNode.ADMIN_KEY;
    CommandLine cli =
        VellumCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    int exit = cli.execute(all);
    return new String[] {Integer.toString(exit), out.toString(), err.toString()};
  }

  @Test
  void printsCsvByDefault_json_andReportsTruncationAndRefusals() {
    try (TestNode node = TestNode.start(tmp)) {
      node.post("/v1/events", TestNode.ADMIN_KEY, node.loginEvent("cli-analyst"));
      String[] csv =
          run(
              node,
              "analytics",
              "SELECT actor_id, count(*) AS n FROM events WHERE type ="
                  + " 'LOGIN_SUCCESSFUL' GROUP BY 1");
      assertEquals("0", csv[0], csv[2]);
      assertEquals("actor_id,n\r\ncli-analyst,1\r\n", csv[1]);

      String[] json = run(node, "analytics", "SELECT 42 AS answer", "--format", "json");
      assertEquals("0", json[0], json[2]);
      assertTrue(json[1].contains("\"answer\""), json[1]);

      String[] cut = run(node, "analytics", "SELECT * FROM range(10)", "--max-rows", "3");
      assertEquals("0", cut[0], cut[2]);
      assertEquals(4, cut[1].lines().count(), cut[1]);
      assertTrue(cut[2].contains("max_rows"), cut[2]);

      String[] refused = run(node, "analytics", "COPY (SELECT 1) TO '/tmp/x'");
      assertEquals("1", refused[0]);
      assertTrue(refused[2].contains("HTTP 400"), refused[2]);
    }
  }
}
