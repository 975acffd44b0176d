package dev.vellum.ingest;

/** What the sequencer did with one event. {@code seq} and {@code leafHash} are null on conflict. */
public record Receipt(String id, Long seq, byte[] leafHash, Status status) {
  public enum Status { ACCEPTED, DUPLICATE, CONFLICT }
}
