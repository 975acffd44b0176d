package dev.vellum.app;

import dev.vellum.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The exclusive claim of one Vellum server on its data dir: an OS file lock on {@code
 * <data-dir>/vellum.lock}, which holds the owner's pid. A second server on the same dir fails to
 * start, naming that pid, instead of sharing the database (two writers gave {@code UNIQUE
 * constraint failed} and two different checkpoints).
 *
 * <p>The lock is {@link FileChannel#tryLock()}: an {@code fcntl} lock that the kernel releases when
 * the process dies, so a crashed server never leaves a stale lock behind; the pid in the file is
 * only for the message.
 *
 * <p>The data dir is also where the owner-only permissions are applied: the dir is created 0700
 * before anything is written into it, so files are unreachable by others from the first byte, and
 * {@link #restrictFiles()} then makes every file in it 0600. SQLite creates its {@code -wal} and
 * {@code -shm} files with the mode of the database file, so later ones are 0600 too.
 */
public final class DataDirLock implements AutoCloseable {
  static final String FILE_NAME = "vellum.lock";
  private static final Set<PosixFilePermission> DIR_MODE =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-------");

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates the data dir if needed (0700), locks it and writes this process's pid into the lock
   * file. Throws a {@link StoreException} whose message names the holder's pid when another server
   * holds the dir, or the I/O problem otherwise.
   */
  public static DataDirLock acquire(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME);
    FileChannel channel = null;
    try {
      createPrivateDirectories(dataDir);
      channel =
          FileChannel.open(
              file,
              Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
              fileAttributes(FILE_MODE));
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameProcess) {
        lock = null; // another node in this JVM holds it
      }
      if (lock == null) {
        String holder = readPid(channel);
        channel.close();
        throw new StoreException(
            "data dir "
                + dataDir.toAbsolutePath()
                + " is in use by another"
                + " Vellum server (pid "
                + holder
                + "); stop it or choose another --data-dir",
            null,
            false);
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
          0);
      channel.force(true);
      return new DataDirLock(dataDir, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StoreException("cannot lock " + file + ": " + e, e, false);
    }
  }

  private static String readPid(FileChannel channel) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(32);
    channel.read(buf, 0);
    String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
    return text.matches("[0-9]{1,19}") ? text : "unknown";
  }

  private static void createPrivateDirectories(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, fileAttributes(DIR_MODE));
    }
    if (posix()) {
      Files.setPosixFilePermissions(dir, DIR_MODE);
    }
  }

  /** Makes the data dir's files owner-only: 0600 for files, 0700 for directories, at any depth. */
  public void restrictFiles() {
    if (!posix()) {
      return;
    }
    // walkFileTree rather than Files.walk: the search index deletes merged segment files while
    // it runs, and a file that vanished during the walk needs no permissions.
    try {
      Files.walkFileTree(
          dir,
          new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(
                Path d, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
              restrict(d, DIR_MODE);
              return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(
                Path f, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
              if (!attrs.isSymbolicLink()) {
                restrict(f, FILE_MODE);
              }
              return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e)
                throws IOException {
              if (e instanceof java.nio.file.NoSuchFileException) {
                return java.nio.file.FileVisitResult.CONTINUE;
              }
              throw e;
            }
          });
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new StoreException("cannot restrict permissions in " + dir + ": " + e, e, false);
    }
  }

  private static void restrict(Path p, Set<PosixFilePermission> mode) throws IOException {
    try {
      Files.setPosixFilePermissions(p, mode);
    } catch (java.nio.file.NoSuchFileException gone) {
      // deleted while walking
    }
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  private static FileAttribute<?>[] fileAttributes(Set<PosixFilePermission> mode) {
    return posix()
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)}
        : new FileAttribute<?>[0];
  }

  private static void closeQuietly(@Nullable FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // already failing; the original problem is the one to report
      }
    }
  }

  /** Releases the lock; the file stays, so its mode and inode are stable across restarts. */
  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel below releases it too
    }
    closeQuietly(channel);
  }
}
