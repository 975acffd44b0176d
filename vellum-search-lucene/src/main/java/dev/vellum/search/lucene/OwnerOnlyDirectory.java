package dev.vellum.search.lucene;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.Lock;

/**
 * A file-system directory whose every file is 0600, whatever the process's umask: each file Lucene
 * creates (segment files, temporary files, {@code segments_N}, the write lock) is set to owner read
 * and write as soon as it exists, before a byte of it is written. The data dir's files are all 0600
 * (the data-dir lock makes them so at start), and the index's files hold the same events' terms.
 *
 * <p>The file exists with the umask's mode for the moment between its creation and the change; the
 * index directory is 0700, so no other user can reach it in that moment. Renames ({@code
 * pending_segments_N} to {@code segments_N}) keep the mode.
 */
final class OwnerOnlyDirectory extends FilterDirectory {
  private static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-------");
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private final Path path;

  OwnerOnlyDirectory(FSDirectory in) {
    super(in);
    this.path = in.getDirectory();
  }

  @Override
  public IndexOutput createOutput(String name, IOContext context) throws IOException {
    IndexOutput out = super.createOutput(name, context);
    return restricted(out, name);
  }

  @Override
  public IndexOutput createTempOutput(String prefix, String suffix, IOContext context)
      throws IOException {
    IndexOutput out = super.createTempOutput(prefix, suffix, context);
    return restricted(out, out.getName());
  }

  @Override
  public Lock obtainLock(String name) throws IOException {
    Lock lock = super.obtainLock(name);
    try {
      restrict(name);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    return lock;
  }

  private IndexOutput restricted(IndexOutput out, String name) throws IOException {
    try {
      restrict(name);
    } catch (IOException | RuntimeException e) {
      out.close();
      throw e;
    }
    return out;
  }

  private void restrict(String name) throws IOException {
    if (POSIX) {
      Files.setPosixFilePermissions(path.resolve(name), FILE_MODE);
    }
  }
}
