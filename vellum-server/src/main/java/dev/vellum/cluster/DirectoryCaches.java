package dev.vellum.cluster;

import dev.vellum.auth.ApiKeys;
import dev.vellum.auth.RateLimiter;
import dev.vellum.auth.Sources;
import dev.vellum.ingest.EventTypeCatalog;
import dev.vellum.store.DirectoryStore;
import dev.vellum.store.DirectoryStore.Change;
import java.util.List;
import java.util.function.Consumer;

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

  /**
   * Follows the directory's changes until the returned subscription is closed, and hands each to
   * the listeners in {@code alsoTell} too (which may be added later: parts created after the
   * caches, such as the rules engine, share the one listening connection).
   */
  public static DirectoryStore.Subscription follow(
      DirectoryStore directory,
      ApiKeys keys,
      Sources sources,
      RateLimiter limiter,
      EventTypeCatalog catalog,
      List<Consumer<Change>> alsoTell) {
    DirectoryCaches caches = new DirectoryCaches(keys, sources, limiter, catalog);
    return directory.listen(
        change -> {
          caches.apply(change);
          alsoTell.forEach(listener -> listener.accept(change));
        });
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
      case RULES -> {
        // for the rules engine (one of alsoTell)
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
