package dev.vellum.client;

import java.util.List;

/** The server judged the event invalid (or not allowed for the key); resending it cannot help. */
public final class RejectedEventException extends VellumException {
  private static final long serialVersionUID = 1L;
  private final String eventId;
  private final transient List<EventError> errors;

  public RejectedEventException(String eventId, int status, List<EventError> errors) {
    super("event " + eventId + " rejected (HTTP " + status + "): " + errors, status, false, null);
    this.eventId = eventId;
    this.errors = List.copyOf(errors);
  }

  public String eventId() {
    return eventId;
  }

  /** Each problem with the JSON pointer of the member, as the server reported it. */
  public List<EventError> errors() {
    return errors;
  }
}
