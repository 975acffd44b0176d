package dev.vellum.notify;

import dev.vellum.app.VellumNode;
import dev.vellum.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A node for {@link RuleCrashTest}, run as a child JVM so the test can SIGKILL it: the real rules
 * engine and notifier, with fast delivery retries and loopback allowed as a webhook target.
 *
 * <p>Arguments: data dir, port file.
 */
final class AlertingNode {
  private AlertingNode() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    Path portFile = Path.of(args[1]);
    var config = TestNode.config(dataDir);
    config =
        config.withNotify(
            NotificationsApiTest.fast(
                config.notifications(), NotificationsApiTest.LOOPBACK, Duration.ofMinutes(5)));
    VellumNode node = VellumNode.start(config.validate(), false);
    Runtime.getRuntime().addShutdownHook(new Thread(node::close));
    Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
    Files.writeString(tmp, Integer.toString(node.port()));
    Files.move(tmp, portFile);
    Thread.currentThread().join();
  }
}
