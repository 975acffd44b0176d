package dev.vellum.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.sample.SampleEvents;
import dev.vellum.store.DirectoryStore;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Realistic ~1 KiB events of mixed catalogue types, the same for every run (fixed seed). */
final class Events {
  static final int COUNT = 1024;
  static final Instant AT = Instant.parse("2026-01-15T10:00:00Z");

  private Events() {}

  static List<ObjectNode> nodes(int approxBytes) {
    SampleEvents samples = new SampleEvents(42);
    List<ObjectNode> out = new ArrayList<>(COUNT);
    for (int i = 0; i < COUNT; i++) {
      out.add(samples.next(AT, "DEMO_APP", approxBytes));
    }
    return out;
  }

  static List<byte[]> bytes(int approxBytes) {
    List<byte[]> out = new ArrayList<>(COUNT);
    for (ObjectNode n : nodes(approxBytes)) {
      out.add(n.toString().getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  /** A directory without tenant event types: enough for an EventTypeCatalog of built-ins. */
  static DirectoryStore noTenantTypes() {
    return (DirectoryStore)
        Proxy.newProxyInstance(
            DirectoryStore.class.getClassLoader(),
            new Class<?>[] {DirectoryStore.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "eventType" -> Optional.empty();
                  case "eventTypes" -> List.of();
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
