package dev.vellum.core.event;

/**
 * One problem with one part of a client's input: the JSON pointer (RFC 6901) of the offending
 * member, relative to the event or record it belongs to, and a sentence saying what is wrong.
 */
public record FieldError(String pointer, String detail) {
  public FieldError {
    if (pointer == null || detail == null) {
      throw new IllegalArgumentException("pointer and detail are required");
    }
  }
}
