package dev.vellum.archive;

import dev.vellum.objectstore.ObjectStore;
import dev.vellum.objectstore.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads an archive file back from the object store for a job that is about to rely on it (hot
 * retention before deleting hot rows, a restore before inserting them): downloads it into the
 * staging directory, checks its size, SHA-256 and row count against its manifest, and answers its
 * rows. What the rows themselves must match (leaf hashes, the log) is the caller's check.
 */
final class ArchivedFileReader {
  /** The file is missing or does not match its manifest. */
  static final class Mismatch extends IOException {
    private static final long serialVersionUID = 1L;
    private final String what;

    Mismatch(String what) {
      super(what);
      this.what = what;
    }

    String what() {
      return what;
    }
  }

  private final ObjectStore objects;
  private final ParquetFiles parquet;
  private final Path staging;

  ArchivedFileReader(ObjectStore objects, ParquetFiles parquet, Path staging) {
    this.objects = objects;
    this.parquet = parquet;
    this.staging = staging;
  }

  List<ParquetFiles.Row> rows(Manifest m) throws IOException {
    Files.createDirectories(staging);
    Path local = Files.createTempFile(staging, "read-back-", ".parquet");
    try {
      if (!objects.get(m.key(), local)) {
        throw new Mismatch("the object store has no file " + m.key());
      }
      long size = Files.size(local);
      String sha = Sha256.of(local);
      if (size != m.size() || !sha.equals(m.sha256())) {
        throw new Mismatch(
            "the stored file has size "
                + size
                + " sha256 "
                + sha
                + ", the manifest says size "
                + m.size()
                + " sha256 "
                + m.sha256());
      }
      List<ParquetFiles.Row> rows = parquet.read(local);
      if (rows.size() != m.count()) {
        throw new Mismatch("the file holds " + rows.size() + " rows, the manifest " + m.count());
      }
      return rows;
    } finally {
      Files.deleteIfExists(local);
    }
  }
}
