package dev.vellum.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.vellum.store.DirectoryStore;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The initiating systems registered per tenant. Every ingested event is checked against this list,
 * so the codes are cached per tenant and the cache is refreshed on each registration.
 */
public final class Sources {
  /** Source codes: letters, digits, '_' '-' '.', up to 64 characters. */
  public static final String CODE_PATTERN = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";

  private final DirectoryStore directory;

  /** Tenant → its source codes; bounded, so many tenants cannot grow the heap without limit. */
  private final Cache<String, Set<String>> codesByTenant =
      Caffeine.newBuilder().maximumSize(10_000).build();

  public Sources(DirectoryStore directory) {
    this.directory = directory;
  }

  public boolean isRegistered(String tenant, String code) {
    return codesByTenant
        .get(
            tenant,
            t ->
                directory.sources(t).stream()
                    .map(DirectoryStore.Source::code)
                    .collect(Collectors.toUnmodifiableSet()))
        .contains(code);
  }

  public void register(DirectoryStore.Source source) {
    directory.putSource(source);
    codesByTenant.invalidate(source.tenant());
  }

  /** Drops the tenant's cached codes, changed on this node or another. */
  public void forget(String tenant) {
    codesByTenant.invalidate(tenant);
  }

  /** Drops every tenant's cached codes: changes may have been missed. */
  public void forgetAll() {
    codesByTenant.invalidateAll();
  }

  public List<DirectoryStore.Source> list(String tenant) {
    return directory.sources(tenant);
  }
}
