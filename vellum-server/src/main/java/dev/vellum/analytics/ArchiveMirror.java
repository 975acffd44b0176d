package dev.vellum.analytics;

import dev.vellum.objectstore.ObjectStore;
import dev.vellum.objectstore.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A bounded local copy of archive files for object stores DuckDB cannot read in place (S3): files
 * are fetched under their own keys (so each tenant's copies stay under {@code tenant=<t>/}, the
 * folder its sandbox may read), checked against the manifest's SHA-256, and the least recently used
 * files of other queries are evicted when the cache exceeds its bound.
 *
 * <p>Known weakness: eviction may remove a file that a concurrent query of another tenant is about
 * to open when the cache is smaller than the working set of the queries running together; that
 * query then fails and can be retried.
 */
final class ArchiveMirror {
  private final ObjectStore store;
  private final Path root;
  private final long maxBytes;

  ArchiveMirror(ObjectStore store, Path root, long maxBytes) throws IOException {
    this.store = store;
    this.root = Files.createDirectories(root).toRealPath();
    this.maxBytes = maxBytes;
  }

  Path tenantDir(String tenant) {
    return root.resolve("tenant=" + tenant);
  }

  /** The local paths of {@code files}, fetching and verifying those not cached yet. */
  synchronized List<Path> ensure(List<ArchiveSnapshot.ArchivedFile> files) throws IOException {
    long needed = files.stream().mapToLong(f -> Math.max(0, f.size())).sum();
    if (needed > maxBytes) {
      throw new AnalyticsException(
          AnalyticsException.Kind.FAILED,
          "this tenant's archive ("
              + needed
              + " bytes) is larger than the analytics cache ("
              + maxBytes
              + " bytes); ask the operator to raise VELLUM_ANALYTICS_CACHE_BYTES");
    }
    List<Path> out = new ArrayList<>(files.size());
    FileTime now = FileTime.from(Instant.now());
    for (ArchiveSnapshot.ArchivedFile f : files) {
      Path local = root.resolve(ObjectStore.checkKey(f.key()));
      if (Files.isRegularFile(local) && Files.size(local) == f.size()) {
        Files.setLastModifiedTime(local, now);
      } else {
        fetch(f, local);
      }
      out.add(local);
    }
    evict(new HashSet<>(out));
    return out;
  }

  private void fetch(ArchiveSnapshot.ArchivedFile f, Path local) throws IOException {
    Path dir = Files.createDirectories(local.getParent());
    Path temp = Files.createTempFile(dir, ".fetch-", ".part");
    try {
      if (!store.get(f.key(), temp)) {
        throw new AnalyticsException(
            AnalyticsException.Kind.FAILED, "archive file " + f.key() + " is missing in the store");
      }
      if (!Sha256.of(temp).equals(f.sha256Hex())) {
        throw new AnalyticsException(
            AnalyticsException.Kind.FAILED,
            "archive file " + f.key() + " does not match its manifest's SHA-256");
      }
      Files.move(temp, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private void evict(Set<Path> keep) throws IOException {
    List<Path> all;
    try (Stream<Path> s = Files.walk(root)) {
      all = new ArrayList<>(s.filter(Files::isRegularFile).toList());
    }
    long total = 0;
    for (Path p : all) {
      total += Files.size(p);
    }
    all.sort(Comparator.comparing(ArchiveMirror::modified));
    for (Path p : all) {
      if (total <= maxBytes) {
        break;
      }
      if (!keep.contains(p)) {
        total -= Files.size(p);
        Files.deleteIfExists(p);
      }
    }
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException gone) {
      return FileTime.fromMillis(0);
    }
  }
}
