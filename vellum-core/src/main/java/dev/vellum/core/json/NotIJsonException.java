package dev.vellum.core.json;

/**
 * A value with no RFC 8785 form (I-JSON, RFC 7493): an unpaired surrogate, a number that is not
 * finite as a double, or a non-JSON node. {@link #pointer} is the JSON pointer of the value.
 */
public final class NotIJsonException extends IllegalArgumentException {
  private final String pointer;

  NotIJsonException(Object pointer, String message) {
    super(message);
    this.pointer = String.valueOf(pointer);
  }

  public String pointer() {
    return pointer;
  }
}
