package dev.vellum.http;

import java.util.Optional;

/** Why the node should not get traffic now (starting, stopping, writer or consumer stopped). */
@FunctionalInterface
public interface Readiness {
  Optional<String> notReadyReason();
}
