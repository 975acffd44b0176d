package dev.vellum.cluster;

import dev.vellum.auth.ApiKeys;
import dev.vellum.auth.RateLimiter;
import dev.vellum.auth.Sources;
import dev.vellum.ingest.EventTypeCatalog;
import dev.vellum.store.DirectoryStore;
import dev.vellum.store.DirectoryStore.Change;

/**
 * The node's caches of directory data (API keys, sources, usage plans, tenant event types), kept in
 * step with changes any node commits: each change drops what it makes stale, and a change that may
 * have been missed drops everything. Tenants are not cached (each lookup reads the directory).
 */
public final class DirectoryCaches {
  private final ApiKeys keys;
  private final Sources sources;
  private final RateLimiter limiter;
  private final EventTypeCatalog catalog;

  private DirectoryCaches(
      ApiKeys keys, Sources sources, RateLimiter limiter, EventTypeCatalog catalog) {
    this.keys = keys;
    this.sources = sources;
    this.limiter = limiter;
    this.catalog = catalog;
  }

  /** Follows the directory's changes until the returned subscription is closed. */
  public static DirectoryStore.Subscription follow(
      DirectoryStore directory,
      ApiKeys keys,
      Sources sources,
      RateLimiter limiter,
      EventTypeCatalog catalog) {
    DirectoryCaches caches = new DirectoryCaches(keys, sources, limiter, catalog);
    return directory.listen(caches::apply);
  }

  void apply(Change change) {
    switch (change.kind()) {
      case KEY -> keys.forget(change.id());
      case SOURCE -> sources.forget(change.tenant());
      case USAGE_PLAN -> limiter.recheckPlan(change.id());
      case EVENT_TYPE -> catalog.forget(change.tenant(), change.id());
      case TENANT -> {
        // not cached
      }
      case ALL -> {
        keys.forgetAll();
        sources.forgetAll();
        limiter.recheckPlans();
        catalog.forgetAll();
      }
    }
  }
}
