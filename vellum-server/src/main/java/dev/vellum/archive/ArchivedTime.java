package dev.vellum.archive;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.ingest.Times;
import dev.vellum.store.RecordStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Per tenant, how far back in time events may have left the hot store: a record {@code archive-hot}
 * whose {@code archived_before} is one microsecond past the latest {@code occurred_at} of any file
 * whose events were deleted. A search or count whose range starts before it reaches into archived
 * time, and says so. It only grows; hot retention raises it before deleting, so a crash can make it
 * early, never late.
 */
public final class ArchivedTime {
  /** One per tenant: id = the tenant, body {@code {"archived_before": "<RFC 3339>"}}. */
  public static final String KIND = "archive-hot";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ArchivedTime() {}

  /** Microseconds: events of {@code tenant} that occurred before may be in the archive only. */
  public static OptionalLong before(RecordStore records, String tenant) {
    Optional<RecordStore.Entry> e = records.get(KIND, tenant, tenant);
    return e.isEmpty() ? OptionalLong.empty() : OptionalLong.of(read(e.get()));
  }

  /** Raises the tenant's boundary to just past {@code maxOccurredAt} (RFC 3339) if it is below. */
  static void extend(RecordStore records, String tenant, String maxOccurredAt, Clock clock) {
    long candidate = Times.micros(Instant.parse(maxOccurredAt)) + 1;
    while (true) {
      Optional<RecordStore.Entry> current = records.get(KIND, tenant, tenant);
      if (current.isPresent() && read(current.get()) >= candidate) {
        return;
      }
      String body =
          JSON.createObjectNode().put("archived_before", Times.formatMicros(candidate)).toString();
      long micros = Times.micros(clock.instant());
      long expected = current.isPresent() ? current.get().version() : RecordStore.ABSENT;
      RecordStore.Entry next =
          current.isPresent()
              ? current.get().withBody(body, micros)
              : RecordStore.Entry.of(KIND, tenant, tenant, body, micros);
      if (records.put(next, expected) >= 0) {
        return;
      }
    }
  }

  private static long read(RecordStore.Entry e) {
    try {
      return Times.micros(Times.parse(JSON.readTree(e.body()).path("archived_before").asText("")));
    } catch (IOException | RuntimeException ex) {
      throw new UncheckedIOException(
          "record " + KIND + "/" + e.id() + " is damaged", new IOException(ex));
    }
  }
}
