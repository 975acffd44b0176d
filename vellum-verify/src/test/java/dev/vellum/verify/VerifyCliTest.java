package dev.vellum.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The standalone auditor's CLI, run on vellum-verify's own class path: no server classes exist
 * here. Verification of logs a real server wrote is tested in vellum-server ({@code
 * OfflineVerifyTest}, {@code OnlineVerifyTest}), since only that module can start one.
 */
class VerifyCliTest {

  record Run(int exit, String output) {}

  static Run vellum(String... args) {
    StringWriter sw = new StringWriter();
    PrintWriter pw = new PrintWriter(sw);
    int exit = new CommandLine(new VerifyCli()).setOut(pw).setErr(pw).execute(args);
    pw.flush();
    return new Run(exit, sw.toString());
  }

  @Test
  void classPath_holdsNoServerClass() {
    // the auditor's tool must run without the service it checks
    assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.vellum.app.VellumNode"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.vellum.cli.VellumCli"));
  }

  @Test
  void help_listsVerifyAndMonitor() {
    Run r = vellum("--help");
    assertEquals(0, r.exit());
    assertTrue(r.output().contains("verify") && r.output().contains("monitor"), r.output());
  }

  @Test
  void verify_withoutDataDirOrUrl_exits2() {
    assertEquals(2, vellum("verify").exit());
  }

  @Test
  void verify_dataDirWithoutDatabase_exits2AndNamesTheMissingFile(@TempDir Path dir) {
    Run r = vellum("verify", "--data-dir", dir.toString());
    assertEquals(2, r.exit(), r.output());
    assertTrue(r.output().contains(dir.resolve("vellum.db").toString()), r.output());
  }

  @Test
  void verify_databaseThatIsNotAVellumLog_exits2(@TempDir Path dir) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("vellum.db"));
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE unrelated (x INTEGER)");
    }
    Run r = vellum("verify", "--data-dir", dir.toString());
    assertEquals(2, r.exit(), r.output());
    assertTrue(r.output().startsWith("vellum verify: "), r.output());
    assertTrue(Files.exists(dir.resolve("vellum.db")));
  }
}
