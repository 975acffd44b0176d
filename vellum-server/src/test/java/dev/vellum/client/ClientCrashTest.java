package dev.vellum.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.testing.TestNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client process killed with SIGKILL loses nothing that reached its spool. */
class ClientCrashTest {
  @TempDir Path tmp;

  @Test
  void clientKilledWithEventsInItsSpool_nextClientDeliversEachExactlyOnce_evenReplayedTwice()
      throws Exception {
    int port = Stored.freePort();
    String url = "http://127.0.0.1:" + port;
    Path spool = tmp.resolve("spool");
    int n = 2000;

    // the server is down: the child can only spool
    Process child =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                SpoolingChild.class.getName(),
                url,
                TestNode.ADMIN_KEY,
                spool.toString(),
                Integer.toString(n),
                "killed")
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      do {
        line = out.readLine();
      } while (line != null && !line.startsWith("SPOOLED"));
      assertEquals("SPOOLED " + n, line);
    } finally {
      child.destroyForcibly(); // SIGKILL on Unix
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }

    // a copy of the spool as the kill left it, to replay a second time below: the case of a
    // client killed after the server answered but before the segment was deleted
    Path copy = tmp.resolve("spool-copy");
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(spool)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("segment-")).toList()) {
        Files.copy(f, copy.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }

    try (TestNode node = TestNode.start(tmp.resolve("node"), c -> c.withPort(port))) {
      VellumClient replay =
          VellumClient.builder().endpoint(url).apiKey(TestNode.ADMIN_KEY).spool(spool).build();
      assertEquals(n, replay.stats().replayed());
      assertTrue(replay.close(Duration.ofSeconds(60)), replay.stats().toString());
      assertEquals(n, replay.stats().sent());
      try (Stream<Path> left = Files.list(spool)) {
        assertTrue(
            left.noneMatch(
                p -> p.getFileName().toString().startsWith("segment-") && p.toFile().length() > 0),
            "delivered segments are deleted");
      }

      VellumClient again =
          VellumClient.builder().endpoint(url).apiKey(TestNode.ADMIN_KEY).spool(copy).build();
      assertTrue(again.close(Duration.ofSeconds(60)), again.stats().toString());
      assertEquals(n, again.stats().duplicates());
      assertEquals(0, again.stats().sent());

      Map<String, Integer> stored = Stored.idsTagged(node, "killed");
      assertEquals(n, stored.size());
      assertTrue(stored.values().stream().allMatch(c -> c == 1), "no event stored twice");
    }
  }
}
