package dev.vellum.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.jspecify.annotations.Nullable;

/** A signed checkpoint note kept in a file: read whole, replaced atomically. */
final class CheckpointFile {
  private CheckpointFile() {}

  /** The note in {@code file}, or null if the file does not exist. */
  static @Nullable String read(Path file) throws VerifyException {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new VerifyException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Replaces {@code file} with {@code note}: written and synced to a temporary file in the same
   * directory, then moved over the old one, so a crash leaves the old or the new note, whole.
   */
  static void write(Path file, String note) throws VerifyException {
    Path abs = file.toAbsolutePath();
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    try {
      Files.createDirectories(abs.getParent());
      try (var ch =
          java.nio.channels.FileChannel.open(
              tmp,
              java.nio.file.StandardOpenOption.CREATE,
              java.nio.file.StandardOpenOption.WRITE,
              java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(java.nio.ByteBuffer.wrap(note.getBytes(StandardCharsets.UTF_8)));
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new VerifyException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
