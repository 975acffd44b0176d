package dev.vellum.client;

/**
 * What the server answered for one recorded event. {@link Status#ACCEPTED} and {@link
 * Status#DUPLICATE} mean the event is durably committed at {@code seq} with {@code leafHash} (a
 * duplicate is a retry of an event already stored; its seq and leaf hash are the original ones).
 * {@link Status#SPOOLED} means the event is fsynced in the client's spool and will be sent later
 * (by this client or by the next one opened on the same spool); it has no seq yet.
 */
public record Receipt(String id, long seq, String leafHash, Status status) {
  /** How far the event got. */
  public enum Status {
    ACCEPTED,
    DUPLICATE,
    SPOOLED
  }

  static Receipt spooled(String id) {
    return new Receipt(id, -1, "", Status.SPOOLED);
  }

  /** True if the server has committed the event (accepted now or earlier). */
  public boolean committed() {
    return status != Status.SPOOLED;
  }
}
