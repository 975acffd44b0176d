package dev.vellum.store;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Small durable records of the capabilities after the commit (rules, channels, alerts, deliveries,
 * holds, archive manifests, saved queries, consumer snapshots), kept in the same database as the
 * events so that a PostgreSQL deployment shares them between nodes.
 *
 * <p>A record is an opaque JSON body under ({@code kind}, {@code tenant}, {@code id}), with an
 * optional {@code status} and {@code due} time so that work queues ("deliveries due now") can be
 * read without scanning, and a {@code version} that every write increments so that concurrent
 * writers (two nodes, two admins) can update with compare-and-set.
 *
 * <p>Implementations MUST make every write durable before returning, MUST apply {@link #putAll} in
 * one transaction, and MUST reject (with {@link IllegalArgumentException}) a kind, tenant or id
 * longer than {@link #MAX_KEY_LENGTH} characters or a body longer than {@link #MAX_BODY_LENGTH}.
 */
public interface RecordStore {
  int MAX_KEY_LENGTH = 200;
  int MAX_BODY_LENGTH = 1 << 20;

  /** Passed as {@code expectedVersion} to write whatever is there. */
  long ANY_VERSION = -1;

  /** Passed as {@code expectedVersion} to write only if no record exists yet. */
  long ABSENT = 0;

  /**
   * One record. {@code dueMicros} is 0 when the record is not scheduled; {@code version} is 1 after
   * the first write and is ignored on writes (the store assigns it).
   */
  record Entry(
      String kind,
      String tenant,
      String id,
      String body,
      @Nullable String status,
      long dueMicros,
      long version,
      long updatedAtMicros) {
    public Entry {
      check("kind", kind, MAX_KEY_LENGTH);
      check("tenant", tenant, MAX_KEY_LENGTH);
      check("id", id, MAX_KEY_LENGTH);
      check("body", body, MAX_BODY_LENGTH);
      if (status != null) {
        check("status", status, MAX_KEY_LENGTH);
      }
    }

    /** A new record to write: not scheduled, no status. */
    public static Entry of(String kind, String tenant, String id, String body, long nowMicros) {
      return new Entry(kind, tenant, id, body, null, 0, 0, nowMicros);
    }

    public Entry withBody(String newBody, long nowMicros) {
      return new Entry(kind, tenant, id, newBody, status, dueMicros, version, nowMicros);
    }

    public Entry withStatus(@Nullable String newStatus, long newDueMicros) {
      return new Entry(kind, tenant, id, body, newStatus, newDueMicros, version, updatedAtMicros);
    }

    private static void check(String what, String value, int max) {
      if (value.isEmpty() || value.length() > max) {
        throw new IllegalArgumentException(
            "record " + what + " must be 1.." + max + " characters, was " + value.length());
      }
    }
  }

  Optional<Entry> get(String kind, String tenant, String id);

  /**
   * A tenant's records of one kind in id order, after {@code afterId} (exclusive; "" for the
   * start), optionally only those with {@code status}; at most {@code limit}.
   */
  List<Entry> list(String kind, String tenant, @Nullable String status, String afterId, int limit);

  /**
   * Records of one kind and status, over all tenants, whose due time is at or before {@code
   * dueAtOrBeforeMicros} and not 0, earliest first; at most {@code limit}.
   */
  List<Entry> due(String kind, String status, long dueAtOrBeforeMicros, int limit);

  /** How many records of one kind a tenant has, optionally only those with {@code status}. */
  long count(String kind, String tenant, @Nullable String status);

  /**
   * Writes the record if its current version is {@code expectedVersion} ({@link #ABSENT}: none yet;
   * {@link #ANY_VERSION}: any). Returns the new version, or -1 when the condition did not hold.
   */
  long put(Entry entry, long expectedVersion);

  /** Writes every record unconditionally, in one transaction. */
  void putAll(List<Entry> entries);

  /** Deletes the record; false when there was none. */
  boolean delete(String kind, String tenant, String id);
}
