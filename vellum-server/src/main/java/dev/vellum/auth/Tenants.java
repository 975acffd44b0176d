package dev.vellum.auth;

import dev.vellum.store.DirectoryStore;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Creates tenants with what every tenant needs: the system source and a first admin key. */
public final class Tenants {
  public static final String ID_PATTERN = "[a-z0-9][a-z0-9-]{0,62}";
  public static final String SYSTEM_SOURCE = "VELLUM";

  private final DirectoryStore directory;
  private final Sources sources;
  private final ApiKeys keys;

  public Tenants(DirectoryStore directory, Sources sources, ApiKeys keys) {
    this.directory = directory;
    this.sources = sources;
    this.keys = keys;
  }

  /**
   * Creates the tenant and its first admin key ({@code secret} null: generated). Empty if the
   * tenant already exists.
   */
  public Optional<ApiKeys.Issued> create(
      String id, String name, @Nullable String secret, long nowMicros) {
    if (!directory.createTenant(new DirectoryStore.Tenant(id, name, nowMicros))) {
      return Optional.empty();
    }
    sources.register(
        new DirectoryStore.Source(
            id,
            SYSTEM_SOURCE,
            "Vellum",
            "events Vellum writes itself, such as read auditing",
            nowMicros));
    return Optional.of(
        keys.create(
            id,
            "bootstrap admin",
            EnumSet.of(Scope.ADMIN, Scope.EVENTS_WRITE, Scope.EVENTS_READ),
            Set.of("*"),
            secret,
            nowMicros));
  }

  public boolean exists(String id) {
    return directory.tenant(id).isPresent();
  }
}
