package dev.vellum.log;

import dev.vellum.config.ConfigException;
import dev.vellum.config.VellumConfig;
import dev.vellum.core.note.NoteSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * The log's Ed25519 key, kept in {@code <data-dir>/log-signing.key} (mode 0600) in the
 * golang.org/x/mod/sumdb/note private-key format under the configured log name. Each tenant's
 * checkpoints are signed with the same seed under the key name {@code <log name>/<tenant>}, which
 * is the tenant log's origin; the key id therefore differs per tenant, as the signed-note spec
 * derives it from the name.
 */
public final class SigningKey {
  public static final String FILE_NAME = "log-signing.key";

  private final String logName;
  private final byte[] seed;

  private SigningKey(String logName, byte[] seed) {
    this.logName = logName;
    this.seed = seed;
  }

  /**
   * The key as configured: from {@code log.signing_key_file}, from {@code VELLUM_LOG_SIGNING_KEY},
   * or (neither set) from the data dir, created there on first start. A configured key that is
   * missing or malformed is a configuration error: generating one would fork the nodes' keys.
   */
  public static SigningKey load(VellumConfig config) {
    VellumConfig.LogKey source = config.logKey();
    String text = source.key();
    String setting = "VELLUM_LOG_SIGNING_KEY";
    Path file = source.file();
    if (file != null) {
      setting = "log.signing_key_file = " + file;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new ConfigException("setting " + setting + ": cannot read it: " + e.getMessage(), e);
      }
    }
    if (text == null) {
      return loadOrCreate(config.dataDir(), config.logName());
    }
    try {
      return fromPrivateKey(text.trim(), config.logName());
    } catch (RuntimeException e) {
      throw new ConfigException(
          "setting "
              + setting
              + ": is not a signing key in the note format (PRIVATE+KEY+<name>+<id>+<key>),"
              + " such as the log-signing.key a node writes into its data dir",
          e);
    }
  }

  /** Loads the key from the data dir, generating and saving a new one on first start. */
  public static SigningKey loadOrCreate(Path dataDir, String logName) {
    Path file = dataDir.resolve(FILE_NAME);
    try {
      if (Files.exists(file)) {
        return fromPrivateKey(Files.readString(file, StandardCharsets.UTF_8).trim(), logName);
      }
      NoteSigner fresh = NoteSigner.generate(logName);
      Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
      Files.writeString(tmp, fresh.privateKey() + "\n", StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return fromPrivateKey(fresh.privateKey(), logName);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read or create the log signing key " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses {@code PRIVATE+KEY+<name>+<hex id>+<base64(0x01 ‖ seed)>}. */
  public static SigningKey fromPrivateKey(String skey, String logName) {
    NoteSigner.fromPrivateKey(skey);
    // the base64 part may itself contain '+', so split into at most five fields
    String[] parts = skey.split("\\+", 5);
    byte[] encoded = Base64.getDecoder().decode(parts[4]);
    byte[] seed = java.util.Arrays.copyOfRange(encoded, 1, encoded.length);
    return new SigningKey(logName, seed);
  }

  public String origin(String tenant) {
    return logName + "/" + tenant;
  }

  /** The signer for one tenant's log. */
  public NoteSigner signer(String tenant) {
    return NoteSigner.fromSeed(origin(tenant), seed);
  }
}
