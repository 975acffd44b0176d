package dev.vellum.objectstore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Objects as files under a root directory (the default archive, under the data dir). A put writes
 * (a move renames) a temporary file beside the target, forces it to disk, renames it into place and
 * forces the directory, so a crash leaves either the old object or the whole new one, never a torn
 * file.
 */
public final class DirectoryObjectStore implements ObjectStore {
  private static final String TEMP_SUFFIX = ".part";
  private final Path root;

  public DirectoryObjectStore(Path root) throws IOException {
    this.root = Files.createDirectories(root).toRealPath();
  }

  public Path root() {
    return root;
  }

  /** The file of {@code key}: inside the root by construction, as keys have no ".." segment. */
  public Path fileOf(String key) {
    return root.resolve(ObjectStore.checkKey(key));
  }

  @Override
  public StoredObject put(String key, Path file) throws IOException {
    Path temp = tempOf(key);
    long size = Files.size(file);
    String sha = Sha256.of(file);
    Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING);
    return commit(key, temp, size, sha);
  }

  @Override
  public StoredObject put(String key, byte[] content) throws IOException {
    Path temp = tempOf(key);
    Files.write(temp, content);
    return commit(key, temp, content.length, Sha256.of(content));
  }

  @Override
  public StoredObject moveIn(String key, Path file, String sha256Hex) throws IOException {
    Path temp = tempOf(key);
    long size = Files.size(file);
    // a rename when the file is on the store's file system (no copy, no new inode), else a copy
    // and a delete; either way the temporary file is then forced and renamed as for a put
    Files.move(file, temp, StandardCopyOption.REPLACE_EXISTING);
    return commit(key, temp, size, sha256Hex);
  }

  /** The temporary file beside the key's file, its folder made if need be. */
  private Path tempOf(String key) throws IOException {
    Path target = fileOf(key);
    Files.createDirectories(parentOf(target));
    return target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
  }

  /**
   * Forces {@code temp} to disk, renames it to the key's file, forces the folder, then reads the
   * object back and checks it against the expected size and SHA-256.
   */
  private StoredObject commit(String key, Path temp, long size, String sha256Hex)
      throws IOException {
    Path target = fileOf(key);
    force(temp);
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    force(parentOf(target));
    StoredObject stored = head(key).orElseThrow(() -> new IOException("vanished: " + key));
    if (stored.size() != size || !stored.sha256Hex().equals(sha256Hex)) {
      throw new IOException("stored object " + key + " does not match the local file");
    }
    return stored;
  }

  @Override
  public Optional<StoredObject> head(String key) throws IOException {
    Path file = fileOf(key);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return Optional.of(new StoredObject(key, Files.size(file), Sha256.of(file)));
  }

  @Override
  public boolean get(String key, Path target) throws IOException {
    try {
      Files.copy(fileOf(key), target, StandardCopyOption.REPLACE_EXISTING);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  @Override
  public List<String> list(String prefix, String afterKey, int limit) throws IOException {
    ObjectStore.checkPrefix(prefix);
    List<String> keys = new ArrayList<>();
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
    if (!Files.isDirectory(start)) {
      return keys; // walk only the prefix's own directory, not the whole archive
    }
    try (Stream<Path> files = Files.walk(start)) {
      files
          .filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(k -> !k.endsWith(TEMP_SUFFIX) && k.startsWith(prefix))
          .filter(k -> k.compareTo(afterKey) > 0)
          .sorted()
          .limit(Math.max(0, limit))
          .forEach(keys::add);
    }
    return keys;
  }

  @Override
  public boolean delete(String key) throws IOException {
    boolean deleted = Files.deleteIfExists(fileOf(key));
    if (deleted) {
      force(parentOf(fileOf(key)));
    }
    return deleted;
  }

  @Override
  public String describe() {
    return "directory " + root;
  }

  /** A key's file always has a parent: the root or a directory below it. */
  private static Path parentOf(Path file) {
    return Objects.requireNonNull(file.getParent(), "a file below the root has a parent");
  }

  private static void force(Path path) throws IOException {
    boolean directory = Files.isDirectory(path);
    try (FileChannel ch =
        FileChannel.open(path, directory ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }
}
