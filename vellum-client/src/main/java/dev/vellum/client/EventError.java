package dev.vellum.client;

/** One problem the server found in an event: the JSON pointer of the member and what is wrong. */
public record EventError(String pointer, String detail) {
  @Override
  public String toString() {
    return (pointer.isEmpty() ? "(event)" : pointer) + ": " + detail;
  }
}
