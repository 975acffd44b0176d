package dev.vellum.client;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A process that records events into a spool while the server is unreachable, says so, and then
 * waits to be killed: {@code SpoolingChild <url> <key> <spool dir> <events> <tag>}.
 */
final class SpoolingChild {
  private SpoolingChild() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[3]);
    VellumClient vellum =
        VellumClient.builder()
            .endpoint(args[0])
            .apiKey(args[1])
            .spool(Path.of(args[2]))
            .source("DEMO_APP")
            .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
            .build();
    for (int i = 0; i < n; i++) {
      vellum.record(Stored.login("killed-" + i, args[4]));
    }
    while (vellum.stats().spooled() < n) {
      Thread.sleep(5);
    }
    System.out.println("SPOOLED " + n);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // SIGKILL arrives here, with every event in the spool
  }
}
