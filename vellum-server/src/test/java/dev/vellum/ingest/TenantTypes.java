package dev.vellum.ingest;

import dev.vellum.core.json.StrictJson;
import dev.vellum.store.DirectoryStore;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A directory that knows only some tenant event types: enough for an {@link EventTypeCatalog}. */
final class TenantTypes {
  private TenantTypes() {}

  /** {@code schemas}: type name to schema text, the same for every tenant. */
  static DirectoryStore directory(Map<String, String> schemas) {
    List<DirectoryStore.EventType> all = new ArrayList<>();
    schemas.forEach(
        (type, schema) -> all.add(new DirectoryStore.EventType("t", type, "custom", schema, 0)));
    return (DirectoryStore)
        Proxy.newProxyInstance(
            DirectoryStore.class.getClassLoader(),
            new Class<?>[] {DirectoryStore.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "eventType" ->
                      all.stream().filter(t -> t.type().equals(args[1])).findFirst();
                  case "eventTypes" -> all;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  static EventTypeCatalog catalog(Map<String, String> schemas) {
    return new EventTypeCatalog(directory(schemas), StrictJson.mapper());
  }

  static EventTypeCatalog builtInsOnly() {
    return catalog(Map.of());
  }
}
