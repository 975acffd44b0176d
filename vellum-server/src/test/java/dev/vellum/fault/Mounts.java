package dev.vellum.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs mount(8) and friends; the fault tests need real small or read-only file systems. */
final class Mounts {
  private Mounts() {}

  /** The result of one command: exit code and combined output. */
  record Result(int code, String output) {
    boolean ok() {
      return code == 0;
    }
  }

  static Result run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, String.join(" ", command) + ": timed out");
      }
      return new Result(
          p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, e.toString());
    }
  }

  static boolean isRoot() {
    Result r = run("id", "-u");
    return r.ok() && r.output().trim().equals("0");
  }

  static Result mountTmpfs(Path dir, String options) {
    return run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString());
  }

  /** A read-only view of {@code source} at {@code target}. */
  static Result bindReadOnly(Path source, Path target) {
    Result bind = run("mount", "--bind", source.toString(), target.toString());
    if (!bind.ok()) {
      return bind;
    }
    Result ro = run("mount", "-o", "remount,ro,bind", target.toString());
    if (!ro.ok()) {
      unmount(target);
    }
    return ro;
  }

  static Result remount(Path dir, String options) {
    return run("mount", "-o", "remount," + options, dir.toString());
  }

  /** Unmounts, lazily if busy; never throws. */
  static void unmount(Path dir) {
    if (!run("umount", dir.toString()).ok()) {
      run("umount", "-l", dir.toString());
    }
  }

  /** Command line for {@code vellum <args>} in a fresh JVM with this test's class path. */
  static List<String> vellum(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.add("-Xmx256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.vellum.cli.VellumCli");
    cmd.addAll(List.of(args));
    return cmd;
  }
}
