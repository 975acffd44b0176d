package dev.vellum.verify;

import org.jspecify.annotations.Nullable;

/**
 * One piece of evidence that a log was changed: what was checked, where, and what differs.
 *
 * @param kind stable machine-readable name, e.g. {@code leaf_hash}, {@code tile}, {@code seq_gap}
 * @param seq the first event seq the finding implicates, or -1 if it names none
 * @param expected what an untampered log would hold (hex or text), or null
 * @param actual what was found, or null
 * @param detail one human sentence with the facts
 */
record Finding(
    String kind, long seq, @Nullable String expected, @Nullable String actual, String detail) {

  static final long NO_SEQ = -1;

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    if (seq >= 0) {
      sb.append("seq ").append(seq).append(": ");
    }
    sb.append(detail);
    if (expected != null || actual != null) {
      sb.append(" (expected ").append(expected).append(", found ").append(actual).append(')');
    }
    return sb.toString();
  }
}
