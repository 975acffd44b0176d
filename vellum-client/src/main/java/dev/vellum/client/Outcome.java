package dev.vellum.client;

/** The {@code outcome} of an audit event. */
public enum Outcome {
  SUCCESS,
  FAILURE,
  UNKNOWN;

  String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
