package dev.vellum.feed;

import dev.vellum.app.VellumNode;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.FeedEvent;
import dev.vellum.testing.TestNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * A node for {@link FeedCrashTest}, run as a child JVM: two feed consumers that append what they
 * are handed to a file of their own and fsync it. Each stalls for good (inside {@code accept},
 * after writing) once it has handled a given number of events, so that when the test kills the
 * process they lag behind by different, known amounts, whatever the machine's speed.
 *
 * <p>Arguments: data dir, port file, events after which each consumer stalls (two numbers, 0 =
 * never).
 */
final class LaggingConsumersNode {
  private LaggingConsumersNode() {}

  /** Appends "position tenant seq" per event; a "# resume P" line when it (re)starts. */
  static final class FileConsumer implements FeedConsumer {
    private final String name;
    private final FileChannel out;
    private final long stallAfter;
    private long handled;

    FileConsumer(String name, Path file, long stallAfter) throws IOException {
      this.name = name;
      this.out =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      this.stallAfter = stallAfter;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public long resumeFrom(long storedPosition) {
      write("# resume " + storedPosition + "\n");
      return storedPosition;
    }

    @Override
    public void accept(List<FeedEvent> events) throws Exception {
      StringBuilder lines = new StringBuilder();
      for (FeedEvent e : events) {
        lines
            .append(e.position())
            .append(' ')
            .append(e.event().tenant())
            .append(' ')
            .append(e.event().seq())
            .append('\n');
      }
      write(lines.toString());
      handled += events.size();
      while (stallAfter > 0 && handled >= stallAfter) {
        Thread.sleep(1_000); // never returns: this batch is written but not acknowledged
      }
    }

    private void write(String text) {
      try {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        out.force(true);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    Path portFile = Path.of(args[1]);
    List<FeedConsumer> consumers =
        List.of(
            new FileConsumer("lag-a", dataDir.resolveSibling("lag-a.txt"), Long.parseLong(args[2])),
            new FileConsumer(
                "lag-b", dataDir.resolveSibling("lag-b.txt"), Long.parseLong(args[3])));
    FeedSettings settings =
        new FeedSettings(10, 3, Duration.ofMillis(10), Duration.ofMillis(100), 400_000);
    VellumNode node =
        VellumNode.start(
            TestNode.config(dataDir).validate(),
            false,
            new VellumNode.Extensions(s -> s, s -> s, consumers, settings));
    Runtime.getRuntime().addShutdownHook(new Thread(node::close));
    Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
    Files.writeString(tmp, Integer.toString(node.port()));
    Files.move(tmp, portFile);
    Thread.currentThread().join();
  }
}
