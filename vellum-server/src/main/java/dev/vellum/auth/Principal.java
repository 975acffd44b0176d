package dev.vellum.auth;

import java.util.Set;

/**
 * The caller behind an API key: its tenant, its scopes, and the sources it may write for ({@code *}
 * for all of the tenant's sources).
 */
public record Principal(String keyId, String tenant, Set<Scope> scopes, Set<String> sources) {

  public boolean has(Scope scope) {
    return scopes.contains(scope)
        || scopes.contains(Scope.ADMIN)
        || (scope == Scope.LOG_READ && scopes.contains(Scope.EVENTS_READ));
  }

  public boolean maySendFor(String source) {
    return sources.contains("*") || sources.contains(source);
  }

  public boolean isSystemAdmin() {
    return scopes.contains(Scope.ADMIN) && ApiKeys.DEFAULT_TENANT.equals(tenant);
  }
}
