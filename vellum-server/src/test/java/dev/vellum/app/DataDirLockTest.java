package dev.vellum.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.store.StoreException;
import dev.vellum.testing.ChildVellum;
import dev.vellum.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One server per data dir, and a data dir only its owner can read. */
class DataDirLockTest {
  @TempDir Path tmp;

  @Test
  void secondNodeOnADataDirInUseFailsNamingTheHoldersPid() {
    Path data = tmp.resolve("data");
    try (TestNode first = TestNode.start(data)) {
      StoreException e = assertThrows(StoreException.class, () -> TestNode.start(data));
      assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
      // the first node is unharmed
      assertEquals(
          200,
          first.post("/v1/events", TestNode.ADMIN_KEY, first.loginEvent("still-here")).status());
    }
  }

  @Test
  void secondServeProcessOnADataDirInUseExitsWithOneLineNamingTheHoldersPid() throws Exception {
    Path data = tmp.resolve("data");
    try (TestNode first = TestNode.start(data)) {
      ChildVellum.Exited second =
          ChildVellum.run(
              tmp, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data.toString());
      assertEquals(3, second.code(), second.output());
      assertEquals(1, second.lines().size(), second.output());
      assertTrue(second.output().startsWith("vellum: "), second.output());
      assertTrue(second.output().contains("pid " + ProcessHandle.current().pid()), second.output());
      assertEquals(
          200,
          first.post("/v1/events", TestNode.ADMIN_KEY, first.loginEvent("after-second")).status());
    }
  }

  @Test
  void lockIsReleasedWhenTheNodeStops() {
    Path data = tmp.resolve("data");
    TestNode.start(data).close();
    try (TestNode again = TestNode.start(data)) {
      assertEquals(200, again.get("/health/ready", null).status());
    }
  }

  @Test
  void dataDirIs0700AndEveryFileInItIs0600IncludingWalAndShm() throws Exception {
    Path data = tmp.resolve("data");
    try (TestNode node = TestNode.start(data)) {
      // writes make SQLite create the -wal and -shm files of both databases
      assertEquals(
          200, node.post("/v1/events", TestNode.ADMIN_KEY, node.loginEvent("perm")).status());
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
      List<Path> files;
      try (Stream<Path> s = Files.list(data)) {
        files = s.toList();
      }
      assertTrue(
          files.stream().anyMatch(f -> f.getFileName().toString().endsWith("-wal")),
          files.toString());
      assertTrue(
          files.stream().anyMatch(f -> f.getFileName().toString().endsWith("-shm")),
          files.toString());
      for (Path f : files) {
        // the search index's directory is 0700: the segment files Lucene writes later inside
        // it are unreachable for anyone else whatever their own mode
        assertEquals(
            Files.isDirectory(f) ? "rwx------" : "rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
            f.toString());
      }
      assertTrue(
          files.contains(data.resolve(dev.vellum.app.VellumNode.SEARCH_INDEX_DIR)),
          files.toString());
    }
  }

  @Test
  void lockFileHoldsThePidOfTheServer() throws Exception {
    Path data = tmp.resolve("data");
    try (TestNode node = TestNode.start(data)) {
      assertEquals(
          Long.toString(ProcessHandle.current().pid()),
          Files.readString(data.resolve(DataDirLock.FILE_NAME)).trim());
      assertFalse(node.dataDir().resolve(DataDirLock.FILE_NAME).toString().isEmpty());
    }
  }
}
