package dev.vellum.objectstore;

import dev.vellum.config.VellumConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Opens the object store the configuration names. */
public final class ObjectStores {
  /** The default archive folder inside the data dir. */
  public static final String ARCHIVE_DIR = "archive";

  private ObjectStores() {}

  /**
   * The store at {@code location}: {@code s3://bucket[/prefix]} (credentials from the SDK's default
   * chain: environment, system properties, profile, instance role) or a local folder.
   */
  public static ObjectStore at(
      String location, @Nullable String endpoint, String region, boolean pathStyle)
      throws IOException {
    if (!location.startsWith("s3://")) {
      return new DirectoryObjectStore(Path.of(location));
    }
    String rest = location.substring("s3://".length());
    while (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException("no bucket in " + location + ": use s3://bucket/prefix");
    }
    if (!prefix.isEmpty()) {
      ObjectStore.checkKey(prefix);
    }
    return S3ObjectStore.open(
        new VellumConfig.S3(bucket, prefix, endpoint, region, pathStyle, null, null));
  }

  public static ObjectStore open(VellumConfig.Archive settings, Path dataDir) throws IOException {
    if (settings.isS3()) {
      return S3ObjectStore.open(settings.s3());
    }
    Path dir = settings.directory();
    return new DirectoryObjectStore(dir != null ? dir : dataDir.resolve(ARCHIVE_DIR));
  }
}
