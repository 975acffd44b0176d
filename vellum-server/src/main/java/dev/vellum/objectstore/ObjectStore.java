package dev.vellum.objectstore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where sealed archive files live: immutable objects under slash-separated keys such as {@code
 * tenant=acme/source=BILLING/type=LOGIN_FAILED/year=2026/month=11/day=30/….parquet}.
 *
 * <p>Implementations MUST make every {@code put} and {@link #moveIn} durable before returning and
 * MUST verify it: the size and SHA-256 of what the store now holds are read back and compared with
 * the local file's (or bytes'), and a mismatch throws, so nothing relies on an upload that did not
 * arrive whole. Keys are checked with {@link #checkKey} before any use, so no key can leave the
 * store's root.
 */
public interface ObjectStore extends AutoCloseable {
  int MAX_KEY_LENGTH = 1024;

  /** Letters, digits and {@code = . _ - /}; no empty, "." or ".." segment; no leading slash. */
  Pattern KEY = Pattern.compile("[A-Za-z0-9=._-]+(/[A-Za-z0-9=._-]+)*");

  /** An object as the store holds it. */
  record StoredObject(String key, long size, String sha256Hex) {}

  /** Copies {@code file} to {@code key} (replacing any object there), then verifies it. */
  StoredObject put(String key, Path file) throws IOException;

  /** Stores {@code content} under {@code key} as {@link #put(String, Path)} stores a file's. */
  StoredObject put(String key, byte[] content) throws IOException;

  /**
   * Stores {@code file} under {@code key} as {@link #put(String, Path)} does and removes the local
   * file, which a store on the same file system renames instead of copying. {@code sha256Hex} is
   * the file's SHA-256 as the caller computed it (so the file is not read again here); what the
   * store then holds is read back and checked against it and the file's size, as for a put.
   */
  StoredObject moveIn(String key, Path file, String sha256Hex) throws IOException;

  /** The object's size and SHA-256, read from the store; empty when there is none. */
  Optional<StoredObject> head(String key) throws IOException;

  /** Copies the object into {@code target} (replaced if present); false when there is none. */
  boolean get(String key, Path target) throws IOException;

  /** Keys under {@code prefix}, in key order, after {@code afterKey} (exclusive; "" to start). */
  List<String> list(String prefix, String afterKey, int limit) throws IOException;

  /** Deletes the object; false when there was none. */
  boolean delete(String key) throws IOException;

  /** Where the objects are, for logs and {@code vellum archive} output; never a credential. */
  String describe();

  @Override
  default void close() {}

  /** Throws {@link IllegalArgumentException} unless {@code key} is a safe relative key. */
  static String checkKey(String key) {
    if (key.length() > MAX_KEY_LENGTH || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("object key is not a safe relative key: " + key);
    }
    for (String segment : key.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("object key has a . or .. segment: " + key);
      }
    }
    return key;
  }

  /** Throws unless {@code prefix} is "" or a safe key optionally ending in "/". */
  static String checkPrefix(String prefix) {
    if (!prefix.isEmpty()) {
      checkKey(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
    }
    return prefix;
  }
}
