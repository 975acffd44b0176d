package dev.vellum.postgres;

import dev.vellum.app.VellumNode;
import dev.vellum.config.VellumConfig;
import dev.vellum.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A Vellum node on PostgreSQL in a JVM of its own, for tests that SIGKILL it. Arguments: data dir,
 * port file (written once it listens), schema, signing key file.
 */
public final class PgNodeMain {
  private PgNodeMain() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    Path portFile = Path.of(args[1]);
    VellumConfig config =
        PgCluster.onPostgres(TestNode.config(dataDir), args[2])
            .withLogKey(new VellumConfig.LogKey(Path.of(args[3]), null))
            .validate();
    VellumNode node = VellumNode.start(config, false);
    Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
    Files.writeString(tmp, Integer.toString(node.port()));
    Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);
    Thread.currentThread().join();
  }
}
