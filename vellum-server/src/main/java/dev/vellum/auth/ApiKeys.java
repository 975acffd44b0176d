package dev.vellum.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.vellum.store.DirectoryStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Issues and checks API keys. A key is 32 random bytes shown once as {@code vk_<base64url>}; only
 * its SHA-256 is stored (the secret has 256 bits of entropy, so a slow hash adds nothing). Lookups
 * of known keys are cached in a bounded cache; revocation removes the entry at once.
 */
public final class ApiKeys {
  public static final String DEFAULT_TENANT = "default";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A newly created key: its record and the secret, which is never available again. */
  public record Issued(DirectoryStore.ApiKey key, String secret) {}

  /** Most active keys a node keeps resolved; more only costs a directory lookup each. */
  static final int MAX_CACHED_KEYS = 10_000;

  private final DirectoryStore directory;

  /** Secret hash → principal of a known, unrevoked key. Never holds unknown secrets. */
  private final Cache<String, Principal> cache =
      Caffeine.newBuilder().maximumSize(MAX_CACHED_KEYS).build();

  public ApiKeys(DirectoryStore directory) {
    this.directory = directory;
  }

  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "vk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String newKeyId() {
    byte[] bytes = new byte[9];
    RANDOM.nextBytes(bytes);
    return "key_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String hash(String secret) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** Creates a key; {@code secret} may be supplied (bootstrap key) or null to generate one. */
  public Issued create(
      String tenant,
      String name,
      Set<Scope> scopes,
      Set<String> sources,
      @Nullable String secret,
      long nowMicros) {
    String s = secret == null ? newSecret() : secret;
    DirectoryStore.ApiKey key =
        new DirectoryStore.ApiKey(
            newKeyId(),
            tenant,
            name,
            hash(s),
            scopes.stream()
                .map(Scope::wire)
                .collect(Collectors.toCollection(java.util.TreeSet::new)),
            sources,
            nowMicros,
            null);
    directory.insertKey(key);
    return new Issued(key, s);
  }

  /**
   * The principal for a presented secret, or empty when unknown or revoked. Only known keys are
   * cached, so a stream of random tokens cannot grow memory.
   */
  public Optional<Principal> authenticate(String secret) {
    String h = hash(secret);
    Principal cached = cache.getIfPresent(h);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<Principal> found =
        directory
            .keyBySecretHash(h)
            .filter(k -> k.revokedAtMicros() == null)
            .map(
                k ->
                    new Principal(
                        k.id(),
                        k.tenant(),
                        k.scopes().stream()
                            .map(Scope::parse)
                            .flatMap(Optional::stream)
                            .collect(Collectors.toSet()),
                        k.sources()));
    found.ifPresent(p -> cache.put(h, p));
    return found;
  }

  public boolean revoke(String tenant, String keyId, long nowMicros) {
    boolean revoked = directory.revokeKey(tenant, keyId, nowMicros);
    forget(keyId);
    return revoked;
  }

  /** Drops the cached principal of the key, changed (revoked) on this node or another. */
  public void forget(String keyId) {
    cache.asMap().values().removeIf(p -> p.keyId().equals(keyId));
  }

  /** Drops every cached principal: changes may have been missed. */
  public void forgetAll() {
    cache.invalidateAll();
  }
}
