package dev.vellum.verify;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vellum.cli.VellumCli;
import dev.vellum.core.note.Checkpoint;
import dev.vellum.testing.TestNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import picocli.CommandLine;

/** Runs {@code vellum …} in-process and drives a test node; shared by the verify tests. */
final class Cli {
  private Cli() {}

  /** Exit status and everything the command printed (stdout and stderr together). */
  record Run(int exit, String output) {
    JsonNode json() {
      try {
        return new ObjectMapper().readTree(output);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + output, e);
      }
    }
  }

  static Run vellum(String... args) {
    StringWriter sw = new StringWriter();
    PrintWriter pw = new PrintWriter(sw);
    int exit = new CommandLine(new VellumCli()).setOut(pw).setErr(pw).execute(args);
    pw.flush();
    return new Run(exit, sw.toString());
  }

  /** Ingests {@code n} login events and returns the seq of the last. */
  static long ingest(TestNode node, int n, String tag) {
    ArrayNode batch = node.json.createArrayNode();
    for (int i = 0; i < n; i++) {
      batch.add(node.loginEvent(tag + "-" + i));
    }
    TestNode.Reply r = node.post("/v1/events", ADMIN_KEY, batch);
    assertEquals(200, r.status(), r.raw().body());
    JsonNode results = r.body().get("results");
    return results.get(results.size() - 1).get("seq").asLong();
  }

  /** Polls GET /v1/log/checkpoint until a signed checkpoint covers {@code size} leaves. */
  static String awaitCheckpoint(TestNode node, long size) {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      TestNode.Reply r = node.get("/v1/log/checkpoint", ADMIN_KEY);
      if (r.status() == 200) {
        String note = r.raw().body();
        int split = note.lastIndexOf("\n\n");
        if (Checkpoint.parse(note.substring(0, split + 1)).size() >= size) {
          return note;
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("no checkpoint covering " + size + " leaves within 20 s");
  }

  static void copyDir(Path from, Path to) {
    try (Stream<Path> files = Files.list(from)) {
      Files.createDirectories(to);
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
