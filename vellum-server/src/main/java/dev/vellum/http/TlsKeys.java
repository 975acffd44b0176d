package dev.vellum.http;

import dev.vellum.config.ConfigException;
import dev.vellum.config.VellumConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS key material, read from PEM files with JDK classes only, and re-read when the
 * files change so a renewed certificate (ACME, cert-manager) is served without a restart.
 *
 * <p>The files are polled, not watched: inotify misses the symlink swaps that Kubernetes secret
 * mounts and certbot use, and both files must have changed consistently before either is used. A
 * pair that fails to load is logged and ignored; the previous pair stays in service. New
 * connections get the new certificate; open ones keep theirs.
 */
final class TlsKeys implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TlsKeys.class);
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
  // an in-memory keystore only: the password protects nothing and is never written anywhere
  private static final String PASSWORD = "vellum-in-memory";
  private static final byte[] RSA_ALGORITHM_ID = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };

  private final VellumConfig.Tls config;
  private final SslContextFactory.Server factory = new SslContextFactory.Server();
  private final ScheduledExecutorService watcher;
  private byte[] fingerprint;

  @SuppressWarnings("FutureReturnValueIgnored") // reloadIfChanged catches and logs every failure
  TlsKeys(VellumConfig.Tls config) {
    this.config = config;
    // only built when TLS is enabled, and validate() requires both files then
    Objects.requireNonNull(config.certificate(), "tls.certificate");
    Objects.requireNonNull(config.privateKey(), "tls.private_key");
    try {
      fingerprint = fingerprint();
      factory.setKeyStore(keyStore(config.certificate(), config.privateKey()));
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new ConfigException(
          "setting tls.certificate = "
              + config.certificate()
              + ", tls.private_key = "
              + config.privateKey()
              + ": "
              + e.getMessage(),
          e);
    }
    factory.setKeyStorePassword(PASSWORD);
    factory.setKeyManagerPassword(PASSWORD);
    watcher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vellum-tls-reload");
              t.setDaemon(true);
              return t;
            });
    long every = config.checkInterval().toMillis();
    watcher.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
  }

  SslContextFactory.Server factory() {
    return factory;
  }

  private void reloadIfChanged() {
    Objects.requireNonNull(config.certificate(), "tls.certificate");
    Objects.requireNonNull(config.privateKey(), "tls.private_key");
    try {
      byte[] now = fingerprint();
      if (Arrays.equals(now, fingerprint)) {
        return;
      }
      fingerprint = now;
      KeyStore next = keyStore(config.certificate(), config.privateKey());
      factory.reload(f -> f.setKeyStore(next));
      LOG.info("reloaded the TLS certificate from {}", config.certificate());
    } catch (Exception e) {
      // keep serving the previous pair; a half-written renewal is retried on the next change
      LOG.warn(
          "cannot reload the TLS certificate from {} and {}: {}; still serving the previous"
              + " one",
          config.certificate(),
          config.privateKey(),
          e.getMessage());
    }
  }

  private byte[] fingerprint() throws IOException, GeneralSecurityException {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(Files.readAllBytes(config.certificate()));
    sha.update(Files.readAllBytes(config.privateKey()));
    return sha.digest();
  }

  /** A PKCS#12 keystore in memory holding the private key and its certificate chain. */
  static KeyStore keyStore(Path certificate, Path privateKey)
      throws IOException, GeneralSecurityException {
    Certificate[] chain =
        CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certificate)))
            .toArray(new Certificate[0]);
    if (chain.length == 0) {
      throw new IllegalArgumentException(certificate + " holds no PEM certificate");
    }
    PrivateKey key = privateKey(Files.readString(privateKey, StandardCharsets.US_ASCII));
    if (!matches(key, chain[0].getPublicKey())) {
      // also what a reload sees between the writes of a renewed key and its certificate
      throw new IllegalArgumentException(
          "the private key does not belong to the first" + " certificate in " + certificate);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("vellum", key, PASSWORD.toCharArray(), chain);
    return ks;
  }

  /** Whether {@code key} signs what {@code certified} verifies. */
  private static boolean matches(PrivateKey key, PublicKey certified)
      throws GeneralSecurityException {
    if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
      return false;
    }
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> key.getAlgorithm();
        };
    byte[] probe = "vellum tls key check".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(certified);
    verifier.update(probe);
    return verifier.verify(signature);
  }

  /** A PEM "PRIVATE KEY" (PKCS#8: RSA, EC, Ed25519) or "RSA PRIVATE KEY" (PKCS#1). */
  static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      switch (m.group(1)) {
        case "PRIVATE KEY" -> {
          return pkcs8(der);
        }
        case "RSA PRIVATE KEY" -> {
          return KeyFactory.getInstance("RSA")
              .generatePrivate(new PKCS8EncodedKeySpec(wrapPkcs1(der)));
        }
        case "ENCRYPTED PRIVATE KEY" ->
            throw new IllegalArgumentException(
                "the private key is encrypted; give an unencrypted PKCS#8 key (openssl pkcs8"
                    + " -topk8 -nocrypt)");
        case "EC PRIVATE KEY" ->
            throw new IllegalArgumentException(
                "SEC1 EC keys are not read; convert with: openssl pkcs8 -topk8 -nocrypt");
        default -> {}
      }
    }
    throw new IllegalArgumentException("no PEM private key (BEGIN PRIVATE KEY) found");
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (java.security.spec.InvalidKeySpecException notThisAlgorithm) {
        // try the next one
      }
    }
    throw new IllegalArgumentException("the private key is not an RSA, EC or EdDSA PKCS#8 key");
  }

  /** PKCS#8 PrivateKeyInfo around a PKCS#1 RSAPrivateKey (RFC 5208 §5, RFC 8017 A.1.2). */
  private static byte[] wrapPkcs1(byte[] pkcs1) {
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = der(0x04, pkcs1);
    byte[] inner = new byte[version.length + RSA_ALGORITHM_ID.length + octets.length];
    System.arraycopy(version, 0, inner, 0, version.length);
    System.arraycopy(RSA_ALGORITHM_ID, 0, inner, version.length, RSA_ALGORITHM_ID.length);
    System.arraycopy(octets, 0, inner, version.length + RSA_ALGORITHM_ID.length, octets.length);
    return der(0x30, inner);
  }

  private static byte[] der(int tag, byte[] content) {
    int n = content.length;
    byte[] length =
        n < 0x80
            ? new byte[] {(byte) n}
            : n < 0x100
                ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000
                    ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                    : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    byte[] out = new byte[1 + length.length + n];
    out[0] = (byte) tag;
    System.arraycopy(length, 0, out, 1, length.length);
    System.arraycopy(content, 0, out, 1 + length.length, n);
    return out;
  }

  @Override
  public void close() {
    watcher.shutdownNow();
  }
}
