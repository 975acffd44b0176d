package dev.vellum.core.note;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A C2SP tlog-checkpoint: the body of a signed tree head.
 *
 * <pre>
 * &lt;origin&gt;\n
 * &lt;decimal tree size&gt;\n
 * &lt;base64 root hash&gt;\n
 * [extension line\n]…
 * </pre>
 *
 * @param origin unique log identity, non-empty, one line
 * @param size number of leaves, ≥ 0
 * @param rootHash the 32-byte RFC 6962 root
 * @param extensions optional further non-empty lines, in order
 */
public record Checkpoint(String origin, long size, byte[] rootHash, List<String> extensions) {

  /**
   * @throws IllegalArgumentException if any part cannot be written as a checkpoint
   */
  public Checkpoint {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(rootHash, "rootHash");
    extensions = List.copyOf(extensions);
    checkLine(origin, "origin");
    if (size < 0) {
      throw new IllegalArgumentException("tree size must not be negative: " + size);
    }
    if (rootHash.length != 32) {
      throw new IllegalArgumentException("root hash must be 32 bytes, got " + rootHash.length);
    }
    rootHash = rootHash.clone();
    for (String line : extensions) {
      checkLine(line, "extension line");
    }
  }

  /** A checkpoint without extension lines. */
  public Checkpoint(String origin, long size, byte[] rootHash) {
    this(origin, size, rootHash, List.of());
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  /** The note text: the lines above, each ending in "\n". */
  public String toNoteText() {
    StringBuilder sb = new StringBuilder(origin.length() + 80);
    sb.append(origin)
        .append('\n')
        .append(size)
        .append('\n')
        .append(Base64.getEncoder().encodeToString(rootHash))
        .append('\n');
    for (String line : extensions) {
      sb.append(line).append('\n');
    }
    return sb.toString();
  }

  /**
   * Parses a checkpoint note text (as returned by {@link NoteVerifier#verify}) in its one canonical
   * spelling: decimal size without sign or leading zeros, padded standard base64 of exactly 32
   * bytes, every line ending in "\n", no empty lines.
   *
   * @throws NoteException if the text is not such a checkpoint
   */
  public static Checkpoint parse(String text) {
    if (text == null || !text.endsWith("\n")) {
      throw new NoteException("checkpoint text must end with a newline");
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length < 3) {
      throw new NoteException(
          "checkpoint needs origin, size and root hash lines, got " + lines.length);
    }
    String sizeLine = lines[1];
    if (sizeLine.isEmpty()
        || sizeLine.length() > 19
        || !sizeLine.chars().allMatch(c -> c >= '0' && c <= '9')
        || (sizeLine.length() > 1 && sizeLine.charAt(0) == '0')) {
      throw new NoteException("checkpoint size \"" + sizeLine + "\" is not a canonical decimal");
    }
    long size;
    try {
      size = Long.parseLong(sizeLine);
    } catch (NumberFormatException e) {
      throw new NoteException("checkpoint size \"" + sizeLine + "\" is out of range", e);
    }
    byte[] root;
    try {
      root = Base64.getDecoder().decode(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new NoteException("checkpoint root hash \"" + lines[2] + "\" is not base64", e);
    }
    if (root.length != 32 || !Base64.getEncoder().encodeToString(root).equals(lines[2])) {
      throw new NoteException(
          "checkpoint root hash \"" + lines[2] + "\" is not canonical base64 of 32 bytes");
    }
    try {
      return new Checkpoint(lines[0], size, root, Arrays.asList(lines).subList(3, lines.length));
    } catch (IllegalArgumentException e) {
      throw new NoteException("malformed checkpoint: " + e.getMessage(), e);
    }
  }

  private static void checkLine(String line, String what) {
    if (line.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException(
            String.format("%s contains control character U+%04X", what, (int) c));
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c
        && c.size == size
        && c.origin.equals(origin)
        && Arrays.equals(c.rootHash, rootHash)
        && c.extensions.equals(extensions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(origin, size, extensions) * 31 + Arrays.hashCode(rootHash);
  }

  @Override
  public String toString() {
    return "Checkpoint["
        + origin
        + ", size "
        + size
        + ", root "
        + Base64.getEncoder().encodeToString(rootHash)
        + "]";
  }
}
