package dev.vellum.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vellum serve} on a data dir it cannot write must say so and exit with the storage error
 * code (3) instead of starting. Root ignores file modes, so the data dir is a read-only mount;
 * skipped when mounting is not possible.
 */
class ReadOnlyDataDirTest {
  private static final int EXIT_STORAGE = 3;

  @TempDir Path tmp;
  private final List<Path> mounts = new ArrayList<>();

  @BeforeEach
  void needRoot() {
    Assumptions.assumeTrue(Mounts.isRoot(), "needs root to mount a read-only file system");
  }

  @AfterEach
  void unmount() {
    for (Path m : mounts) {
      Mounts.unmount(m);
    }
  }

  @Test
  void serve_onEmptyReadOnlyDataDir_printsErrorAndExits3() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("ro"));
    Mounts.Result r = Mounts.mountTmpfs(dir, "ro,size=1m");
    Assumptions.assumeTrue(r.ok(), () -> "mount failed: " + r.output());
    mounts.add(dir);

    Served served = serve(dir);

    assertEquals(EXIT_STORAGE, served.code(), served.output());
    assertTrue(served.output().contains("vellum: cannot use data dir " + dir), served.output());
    assertFalse(served.output().contains("\tat "), "stack trace printed:\n" + served.output());
  }

  @Test
  void serve_onExistingDataDirMountedReadOnly_printsErrorAndExits3() throws Exception {
    Path data = tmp.resolve("data");
    try (TestNode node = TestNode.start(data)) {
      assertEquals(
          200, node.post("/v1/events", TestNode.ADMIN_KEY, node.loginEvent("before-ro")).status());
    }
    Path view = Files.createDirectories(tmp.resolve("ro-view"));
    Mounts.Result r = Mounts.bindReadOnly(data, view);
    Assumptions.assumeTrue(r.ok(), () -> "read-only bind mount failed: " + r.output());
    mounts.add(view);

    Served served = serve(view);

    assertEquals(EXIT_STORAGE, served.code(), served.output());
    assertTrue(served.output().contains("vellum: cannot use data dir " + view), served.output());
    assertFalse(served.output().contains("\tat "), "stack trace printed:\n" + served.output());
  }

  private record Served(int code, String output) {}

  /** Runs {@code vellum serve} on {@code dataDir}; it must exit by itself within a minute. */
  private Served serve(Path dataDir) throws Exception {
    Path log = tmp.resolve("serve-" + System.nanoTime() + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                Mounts.vellum(
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--data-dir",
                    dataDir.toString()))
            .directory(tmp.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("VELLUM_"));
    pb.environment().put("VELLUM_BOOTSTRAP_KEY", TestNode.ADMIN_KEY);
    Process p = pb.start();
    try {
      boolean exited = p.waitFor(60, TimeUnit.SECONDS);
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertTrue(exited, "serve kept running on a read-only data dir:\n" + output);
      return new Served(p.exitValue(), output);
    } finally {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
