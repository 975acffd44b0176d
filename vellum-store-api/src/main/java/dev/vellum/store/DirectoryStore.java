package dev.vellum.store;

import java.util.List;
import java.util.Optional;
import java.util.Set;
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
}
