package dev.vellum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.testing.ChildVellum;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as an operator meets it: help, completion, and start-up failures. */
class CliTest {
  @TempDir Path tmp;

  private record Run(int exit, String output) {}

  private static Run vellum(String... args) {
    StringWriter sw = new StringWriter();
    PrintWriter pw = new PrintWriter(sw);
    CommandLine cli = VellumCli.commandLine();
    int exit = cli.setOut(pw).setErr(pw).execute(args);
    pw.flush();
    return new Run(exit, sw.toString());
  }

  @Test
  void noCommandPrintsHelpAndExits2() {
    Run r = vellum();
    assertEquals(2, r.exit());
    assertTrue(r.output().contains("Usage: vellum"), r.output());
    assertTrue(r.output().contains("serve"), r.output());
  }

  @Test
  void helpCommandPrintsHelpOfTheCommandAndExits0() {
    Run r = vellum("help", "serve");
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("--data-dir"), r.output());
  }

  @Test
  void completionPrintsABashCompletionScriptCoveringTheCommands() {
    Run r = vellum("completion");
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().startsWith("#!/usr/bin/env bash"), r.output());
    assertTrue(r.output().contains("serve") && r.output().contains("verify"));
  }

  @Test
  void versionIsTheSameInTheCliThePomAndTheOpenApiDocument() throws Exception {
    String pom = Files.readString(Path.of("pom.xml"));
    int at = pom.indexOf("<version>") + "<version>".length();
    String pomVersion = pom.substring(at, pom.indexOf("</version>", at));
    try (InputStream in = getClass().getResourceAsStream("/web/openapi.json")) {
      assertEquals(pomVersion, new ObjectMapper().readTree(in).at("/info/version").asText());
    }
    // the CLI reads the jar manifest; from test classes it says so instead of inventing one
    String cli = vellum("--version").output().trim();
    assertTrue(cli.equals("Vellum " + pomVersion) || cli.equals("Vellum (development build)"), cli);
  }

  @Test
  void serveOnABusyPortPrintsOneLineAndExits4() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      ChildVellum.Exited r =
          ChildVellum.run(
              tmp,
              "serve",
              "--host",
              "127.0.0.1",
              "--port",
              Integer.toString(busy.getLocalPort()),
              "--data-dir",
              tmp.resolve("d").toString());
      assertEquals(4, r.code(), r.output());
      assertEquals(1, r.lines().size(), r.output());
      assertTrue(r.output().startsWith("vellum: cannot listen on 127.0.0.1:"), r.output());
    }
  }

  @Test
  void serveWithAnUnparsableConfigPrintsOneLineAndExits2() throws Exception {
    Path config = Files.writeString(tmp.resolve("bad.yaml"), "{port: [\n");
    ChildVellum.Exited r = ChildVellum.run(tmp, "serve", "--config", config.toString());
    assertEquals(2, r.code(), r.output());
    assertEquals(1, r.lines().size(), r.output());
    assertTrue(r.output().startsWith("vellum: configuration error"), r.output());
  }

  @Test
  void serveWithAMissingConfigFilePrintsOneLineAndExits2() throws Exception {
    ChildVellum.Exited r =
        ChildVellum.run(tmp, "serve", "--config", tmp.resolve("absent.yaml").toString());
    assertEquals(2, r.code(), r.output());
    assertEquals(1, r.lines().size(), r.output());
  }
}
