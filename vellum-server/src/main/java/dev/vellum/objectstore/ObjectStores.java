package dev.vellum.objectstore;

import dev.vellum.config.VellumConfig;
import java.io.IOException;
import java.nio.file.Path;

/** Opens the object store the configuration names. */
public final class ObjectStores {
  /** The default archive folder inside the data dir. */
  public static final String ARCHIVE_DIR = "archive";

  private ObjectStores() {}

  public static ObjectStore open(VellumConfig.Archive settings, Path dataDir) throws IOException {
    if (settings.isS3()) {
      return S3ObjectStore.open(settings.s3());
    }
    Path dir = settings.directory();
    return new DirectoryObjectStore(dir != null ? dir : dataDir.resolve(ARCHIVE_DIR));
  }
}
