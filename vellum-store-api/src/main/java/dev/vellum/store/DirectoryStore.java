package dev.vellum.store;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** Tenants, their sources, API keys and tenant-defined event types. */
public interface DirectoryStore {

  record Tenant(String id, String name, long createdAtMicros) {}

  record Source(
      String tenant,
      String code,
      String name,
      @Nullable String description,
      long createdAtMicros) {}

  record ApiKey(
      String id,
      String tenant,
      String name,
      String secretHash,
      Set<String> scopes,
      Set<String> sources,
      long createdAtMicros,
      @Nullable Long revokedAtMicros) {}

  record EventType(
      String tenant, String type, String category, String schema, long updatedAtMicros) {}

  /** Creates the tenant; false if it already exists. */
  boolean createTenant(Tenant tenant);

  Optional<Tenant> tenant(String id);

  List<Tenant> tenants();

  /** Creates or replaces the source. */
  void putSource(Source source);

  Optional<Source> source(String tenant, String code);

  List<Source> sources(String tenant);

  void insertKey(ApiKey key);

  Optional<ApiKey> keyBySecretHash(String secretHash);

  List<ApiKey> keys(String tenant);

  /** Marks the key revoked; false if no unrevoked key with that id exists in the tenant. */
  boolean revokeKey(String tenant, String keyId, long atMicros);

  /**
   * A key's own usage plan: {@code quota} and {@code quotaPeriod} ("day" or "month") are both null
   * when the key has no quota.
   */
  record UsagePlan(
      String keyId,
      String tenant,
      long requestsPerSecond,
      long burst,
      @Nullable Long quota,
      @Nullable String quotaPeriod,
      long updatedAtMicros) {}

  /** Creates or replaces the usage plan of a key. */
  void putUsagePlan(UsagePlan plan);

  Optional<UsagePlan> usagePlan(String keyId);

  void putEventType(EventType type);

  Optional<EventType> eventType(String tenant, String type);

  List<EventType> eventTypes(String tenant);

  /**
   * A committed change of directory data: what a node's cache of it must drop. {@code tenant} and
   * {@code id} are empty where the kind has none (a key or plan change names the key id only);
   * {@link Kind#ALL} means changes may have been missed, so every cache is dropped.
   */
  record Change(Kind kind, String tenant, String id) {
    public enum Kind {
      TENANT,
      SOURCE,
      KEY,
      USAGE_PLAN,
      EVENT_TYPE,
      /**
       * A tenant's alert rules (kept in the record store, announced here so that the node running
       * the rules engine reads them again).
       */
      RULES,
      ALL
    }

    public static Change all() {
      return new Change(Kind.ALL, "", "");
    }
  }

  /** Stops a {@link #listen} subscription. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Tells {@code listener}, on a thread of the store's, of directory changes other nodes sharing
   * this directory committed (and possibly this node's own), each soon after its commit, and {@link
   * Change#all()} whenever changes may have been missed (for example after reconnecting). The
   * default, for a directory only one node uses, tells nothing: that node drops its caches as it
   * makes each change.
   */
  default Subscription listen(Consumer<Change> listener) {
    return () -> {};
  }

  /**
   * Tells every listening node of a change committed elsewhere (for example rules in the record
   * store), at once and outside any transaction. The default, for a directory only one node uses,
   * tells nothing.
   */
  default void announce(Change change) {}
}
