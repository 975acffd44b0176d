package dev.vellum.client;

/** The {@code severity} of an audit event. */
public enum Severity {
  DEBUG,
  INFO,
  NOTICE,
  WARNING,
  ERROR,
  CRITICAL;

  String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
