package dev.vellum.ingest;

/**
 * What the sequencer did with one event. {@code seq} and {@code leafHash} are null on conflict
 * and when the event cannot be canonicalised ({@code problem} says why).
 */
public record Receipt(String id, Long seq, byte[] leafHash, Status status, String problem) {
  public enum Status { ACCEPTED, DUPLICATE, CONFLICT, INVALID }

  Receipt(String id, Long seq, byte[] leafHash, Status status) {
    this(id, seq, leafHash, status, null);
  }
}
