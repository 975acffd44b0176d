package dev.vellum.archive;

import dev.vellum.objectstore.ObjectStore;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Object keys of the archive (the contract in docs/archive.md): Hive-style partitions in the
 * reference design's order plus the tenant, {@code
 * tenant=<t>/source=<s>/type=<type>/year=YYYY/month=MM/day=DD/<tenant>-<first seq>-<last seq>-<8
 * hex of sha>.parquet}, and the manifest beside it.
 */
final class ArchiveLayout {
  static final String MANIFEST_SUFFIX = ".manifest.json";

  private ArchiveLayout() {}

  /** The UTC day of an event time in micros. */
  static LocalDate dayOf(long occurredAtMicros) {
    return Instant.ofEpochSecond(Math.floorDiv(occurredAtMicros, 1_000_000L))
        .atZone(ZoneOffset.UTC)
        .toLocalDate();
  }

  /** The partition folder of a (tenant, source, type, day) batch, ending in a slash. */
  static String partition(String tenant, String source, String type, LocalDate day) {
    return String.format(
        "tenant=%s/source=%s/type=%s/year=%04d/month=%02d/day=%02d/",
        tenant, source, type, day.getYear(), day.getMonthValue(), day.getDayOfMonth());
  }

  /** The tenant's folder: every key of the tenant starts with it. */
  static String tenantPrefix(String tenant) {
    return "tenant=" + tenant + "/";
  }

  static String fileKey(
      String tenant,
      String source,
      String type,
      LocalDate day,
      long firstSeq,
      long lastSeq,
      String sha256Hex) {
    return ObjectStore.checkKey(
        partition(tenant, source, type, day)
            + tenant
            + '-'
            + firstSeq
            + '-'
            + lastSeq
            + '-'
            + sha256Hex.substring(0, 8)
            + ".parquet");
  }

  static String manifestKey(String fileKey) {
    return fileKey + MANIFEST_SUFFIX;
  }
}
