package dev.vellum.verify;

import dev.vellum.core.note.NoteException;
import dev.vellum.core.note.NoteSigner;
import dev.vellum.core.note.NoteVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The verifier keys of a data dir's logs: derived from {@code log-signing.key} (one Ed25519 seed,
 * one signer per tenant named {@code <log name>/<tenant>}), or given as trusted verifier-key
 * strings when the private key is not at hand. A trusted key takes precedence; when both exist,
 * they MUST agree, or the key file was replaced.
 */
final class LogKeys {
  static final String KEY_FILE = "log-signing.key";
  private static final String SKEY_PREFIX = "PRIVATE+KEY+";

  private final @Nullable String logName; // null when there is no key file
  private final byte @Nullable [] seed;
  private final List<NoteVerifier> trusted;

  private LogKeys(@Nullable String logName, byte @Nullable [] seed, List<NoteVerifier> trusted) {
    this.logName = logName;
    this.seed = seed;
    this.trusted = trusted;
  }

  /**
   * Reads {@code dataDir/log-signing.key} if it exists and parses {@code trustedKeys}.
   *
   * @throws VerifyException if the key file is unreadable or malformed, or a trusted key is
   */
  static LogKeys load(Path dataDir, List<String> trustedKeys) throws VerifyException {
    List<NoteVerifier> trusted = new ArrayList<>();
    for (String k : trustedKeys) {
      try {
        trusted.add(NoteVerifier.parse(k.trim()));
      } catch (NoteException e) {
        throw new VerifyException("--trusted-key " + k + ": " + e.getMessage(), e);
      }
    }
    Path file = dataDir.resolve(KEY_FILE);
    if (!Files.exists(file)) {
      return new LogKeys(null, null, trusted);
    }
    String line;
    try {
      line = Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new VerifyException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      NoteSigner signer = NoteSigner.fromPrivateKey(line); // checks the format and key id
      String[] parts = line.substring(SKEY_PREFIX.length()).split("\\+", 3);
      byte[] raw = Base64.getDecoder().decode(parts[2]);
      byte[] seed = new byte[32];
      System.arraycopy(raw, 1, seed, 0, 32);
      return new LogKeys(signer.name(), seed, trusted);
    } catch (NoteException | IllegalArgumentException e) {
      throw new VerifyException(file + " is not a signed-note private key: " + e.getMessage(), e);
    }
  }

  /** The log name of the key file (the configured log name at the node's first start), or null. */
  @Nullable String logName() {
    return logName;
  }

  /*
   * The server signs with the key file's seed under the name <configured log name>/<tenant>. The
   * configured name may have changed since the key file was written, so the origin of a tenant's
   * stored checkpoints is preferred when it names that tenant: the signature is checked with a
   * key derived from the seed either way, so the choice of name gives an attacker nothing.
   */

  /**
   * The origin of {@code tenant}'s log: {@code hint} if it names the tenant, else from the key
   * file.
   */
  String origin(String tenant, @Nullable String hint) {
    if (hint != null && hint.endsWith("/" + tenant) && hint.length() > tenant.length() + 1) {
      return hint;
    }
    return (logName != null ? logName : "vellum.local") + "/" + tenant;
  }

  /** The verifier key derived from the key file for {@code origin}, or null without a key file. */
  @Nullable String derivedKey(String origin) {
    return seed == null ? null : NoteSigner.fromSeed(origin, seed).verifierKey();
  }

  /** The trusted key named {@code origin}, else one named {@code …/<tenant>}; null if none. */
  @Nullable NoteVerifier trustedKey(String tenant, String origin) {
    NoteVerifier suffix = null;
    for (NoteVerifier v : trusted) {
      if (v.name().equals(origin)) {
        return v;
      }
      if (v.name().endsWith("/" + tenant)) {
        suffix = v;
      }
    }
    return suffix;
  }

  /** The key to check {@code origin}'s checkpoints with: trusted first, else derived; or null. */
  @Nullable NoteVerifier verifier(String tenant, String origin) {
    NoteVerifier t = trustedKey(tenant, origin);
    if (t != null) {
      return t;
    }
    String derived = derivedKey(origin);
    return derived == null ? null : NoteVerifier.parse(derived);
  }

  /** The tenant a checkpoint origin names: the part after its last '/', or null. */
  static @Nullable String tenantOf(String origin) {
    int slash = origin.lastIndexOf('/');
    return slash <= 0 || slash == origin.length() - 1 ? null : origin.substring(slash + 1);
  }
}
