package dev.vellum.auth;

import java.util.Optional;

/** What an API key may do. {@code ADMIN} implies every other scope within its tenant. */
public enum Scope {
  EVENTS_WRITE("events:write"),
  EVENTS_READ("events:read"),
  LOG_READ("log:read"),
  /** SQL analytics over the tenant's archive and hot events. */
  ANALYTICS_READ("analytics:read"),
  ADMIN("admin");

  private final String wire;

  Scope(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<Scope> parse(String text) {
    for (Scope s : values()) {
      if (s.wire.equals(text)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
