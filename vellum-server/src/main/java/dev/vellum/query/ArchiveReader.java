package dev.vellum.query;

import dev.vellum.store.StoredEvent;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What queries need from the archive once hot retention has deleted events: an archived event by
 * id, and how far back in time a tenant's events may be in the archive only.
 */
public interface ArchiveReader {
  /** A node without an archive: nothing is archived. */
  ArchiveReader NONE =
      new ArchiveReader() {
        @Override
        public Optional<Archived> find(String tenant, String id) {
          return Optional.empty();
        }

        @Override
        public OptionalLong archivedBefore(String tenant) {
          return OptionalLong.empty();
        }
      };

  /** An event read back from the archive file {@code key}, its leaf hash checked. */
  record Archived(StoredEvent event, String key) {}

  /** The event {@code id} of {@code tenant} if it left the hot store and its file has it. */
  Optional<Archived> find(String tenant, String id);

  /** Events that occurred before this (microseconds) may be in the archive only. */
  OptionalLong archivedBefore(String tenant);
}
