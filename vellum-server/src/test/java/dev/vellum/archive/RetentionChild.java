package dev.vellum.archive;

import dev.vellum.config.VellumConfig;
import dev.vellum.store.StoredEvent;
import dev.vellum.testing.S3Proxy;
import dev.vellum.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node for {@link RetentionCrashTest}, run as a child JVM with its archive in the parent's S3
 * server. Arguments: data dir, S3 endpoint, work dir, then what to do:
 *
 * <ul>
 *   <li>{@code ingest N}: ingests N events of alternating types (so each archive file holds many
 *       seq ranges, each deleted in a batch of its own), waits until all are sealed and writes "seq
 *       id" lines to {@code ids.txt};
 *   <li>{@code stall STAGE K}: runs hot retention (as of 31 days ahead) and, the K-th time it
 *       reaches STAGE ("verified": a file checked, nothing of it deleted yet; "deleted": a batch
 *       deleted), writes {@code stalled} and stops there for good, to be SIGKILLed;
 *   <li>{@code finish}: runs hot retention to the end, writes {@code finished}, stops gracefully.
 * </ul>
 */
final class RetentionChild {
  private RetentionChild() {}

  static VellumConfig.S3 s3(String endpoint) {
    return new VellumConfig.S3(
        S3Proxy.BUCKET,
        "audit",
        endpoint,
        "us-east-1",
        true,
        S3Proxy.ACCESS_KEY,
        S3Proxy.SECRET_KEY);
  }

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    String endpoint = args[1];
    Path work = Path.of(args[2]);
    String mode = args[3];
    TestNode node =
        TestNode.start(
            dataDir,
            c ->
                c.withArchive(
                    c.archive()
                        .withBuffer(64 * 1024, Duration.ofMillis(200))
                        .withS3(s3(endpoint))));
    ArchiveService archive = node.node().archive().orElseThrow();
    switch (mode) {
      case "ingest" -> {
        int n = Integer.parseInt(args[4]);
        for (int i = 0; i < n; i++) {
          ArchiverTest.ingest(node, 1, i % 2 == 0 ? "LOGIN_SUCCESSFUL" : "LOGIN_FAILED");
        }
        long last = node.node().store().nextSeq("default") - 1;
        ArchiverTest.awaitArchived(node, "default", last);
        StringBuilder ids = new StringBuilder();
        for (StoredEvent e : node.node().store().range("default", 0, last + 1)) {
          ids.append(e.seq()).append(' ').append(e.id()).append('\n');
        }
        write(work.resolve("ids.txt"), ids.toString());
      }
      case "stall" -> {
        String stage = args[4];
        int k = Integer.parseInt(args[5]);
        AtomicInteger reached = new AtomicInteger();
        archive.expireHot(
            HotRetentionTest.ahead(Duration.ofDays(31)),
            (s, tenant, seq) -> {
              if (s.equals(stage) && reached.incrementAndGet() == k) {
                write(work.resolve("stalled"), stage + " " + seq + "\n");
                while (true) {
                  try {
                    Thread.sleep(1_000); // never returns: the parent kills this process here
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }
            });
        throw new IllegalStateException("retention never reached " + stage + " " + k);
      }
      case "finish" -> {
        HotRetention.Result r = archive.expireHot(HotRetentionTest.ahead(Duration.ofDays(31)));
        node.close();
        write(work.resolve("finished"), r + "\n");
        System.exit(0);
      }
      default -> throw new IllegalArgumentException(mode);
    }
    node.close();
    System.exit(0);
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(
          file,
          text,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE,
          StandardOpenOption.SYNC);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
