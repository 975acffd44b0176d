package dev.vellum.archive;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.store.RecordStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/** The archive's records in the {@link RecordStore}: kinds, statuses and their bodies. */
public final class ArchiveRecords {
  /** One per sealed file: id = the object key, body = the manifest. */
  public static final String FILE = "archive-file";

  /** One per tenant: id = the tenant, body {@code {"archived_through_seq": N}}. */
  public static final String PROGRESS = "archive-progress";

  /** The archiver's own feed position (everything at or below it is sealed or skipped). */
  static final String FEED = "archive-feed";

  static final String FEED_TENANT = "_archiver";

  public static final String SEALED = "sealed";
  public static final String EXPIRED_HOT = "expired-hot";
  public static final String DELETED = "deleted";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ArchiveRecords() {}

  /** Every event of {@code tenant} with seq ≤ the answer is in a sealed file; -1 if none is. */
  public static long archivedThroughSeq(RecordStore records, String tenant) {
    return number(records.get(PROGRESS, tenant, tenant), "archived_through_seq", -1);
  }

  static String progressBody(long archivedThroughSeq) {
    return "{\"archived_through_seq\":" + archivedThroughSeq + "}";
  }

  static long feedPosition(RecordStore records) {
    return number(records.get(FEED, FEED_TENANT, FEED_TENANT), "position", 0);
  }

  static String feedBody(long position) {
    return "{\"position\":" + position + "}";
  }

  static Manifest manifest(RecordStore.Entry entry) {
    try {
      return Manifest.parse(entry.body());
    } catch (IOException e) {
      throw new UncheckedIOException("archive-file record " + entry.id() + " is damaged", e);
    }
  }

  private static long number(Optional<RecordStore.Entry> entry, String field, long absent) {
    if (entry.isEmpty()) {
      return absent;
    }
    try {
      return JSON.readTree(entry.get().body()).path(field).asLong(absent);
    } catch (IOException e) {
      throw new UncheckedIOException("record " + entry.get().id() + " is damaged", e);
    }
  }
}
