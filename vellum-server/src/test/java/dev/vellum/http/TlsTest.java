package dev.vellum.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.config.ConfigException;
import dev.vellum.config.VellumConfig;
import dev.vellum.testing.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS from PEM files: real self-signed certificates made by the JDK's keytool, a real TLS client
 * that trusts only them, and a certificate replaced on disk while the server runs.
 */
@Timeout(120)
class TlsTest {
  @TempDir Path dir;

  /** A self-signed certificate for localhost and 127.0.0.1 with its key, from keytool. */
  record Pair(X509Certificate certificate, PrivateKey key) {}

  private Pair generate(String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                name,
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=" + name,
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, output);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    return new Pair(
        (X509Certificate) ks.getCertificate(name),
        (PrivateKey) ks.getKey(name, "changeit".toCharArray()));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** Writes the pair as PEM files, each by an atomic rename as a certificate renewer would. */
  private void install(Pair pair, Path cert, Path key) throws Exception {
    Path tmpKey = dir.resolve("key.tmp");
    Path tmpCert = dir.resolve("cert.tmp");
    Files.writeString(tmpKey, pem("PRIVATE KEY", pair.key().getEncoded()));
    Files.writeString(tmpCert, pem("CERTIFICATE", pair.certificate().getEncoded()));
    Files.move(
        tmpKey,
        key,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Files.move(
        tmpCert,
        cert,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static SSLContext trusting(X509Certificate... certificates) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    for (int i = 0; i < certificates.length; i++) {
      trust.setCertificateEntry("c" + i, certificates[i]);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private TestNode startTls(Path cert, Path key) {
    return TestNode.start(
        dir.resolve("data"),
        c ->
            c.withHttp(
                new VellumConfig.Http(
                    c.http().idleTimeout(),
                    c.http().bodyTimeout(),
                    c.http().maxInFlightPerKey(),
                    new VellumConfig.Tls(cert, key, Duration.ofMillis(200)))));
  }

  @Test
  void servesHttpsFromPemCertificateAndKey() throws Exception {
    Pair pair = generate("vellum-first");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    install(pair, cert, key);
    try (TestNode node = startTls(cert, key)) {
      HttpClient client =
          HttpClient.newBuilder()
              .sslContext(trusting(pair.certificate()))
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("https://localhost:" + node.port() + "/health/ready"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      HttpResponse<String> authed =
          client.send(
              HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.port() + "/v1/sources"))
                  .header("Authorization", "Bearer " + TestNode.ADMIN_KEY)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, authed.statusCode(), authed.body());
    }
  }

  @Test
  void servesRenewedCertificateWithoutRestart() throws Exception {
    Pair first = generate("vellum-first");
    Pair renewed = generate("vellum-renewed");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    install(first, cert, key);
    try (TestNode node = startTls(cert, key)) {
      SSLContext both = trusting(first.certificate(), renewed.certificate());
      assertEquals(first.certificate(), presented(both, node.port()));
      install(renewed, cert, key);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      X509Certificate seen = presented(both, node.port());
      while (!seen.equals(renewed.certificate()) && System.nanoTime() < deadline) {
        Thread.sleep(100);
        seen = presented(both, node.port());
      }
      assertEquals(renewed.certificate(), seen, "the renewed certificate was not picked up");
    }
  }

  @Test
  void refusesToStartWhenKeyDoesNotMatchCertificate() throws Exception {
    Pair first = generate("vellum-first");
    Pair other = generate("vellum-other");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Files.writeString(cert, pem("CERTIFICATE", first.certificate().getEncoded()));
    Files.writeString(key, pem("PRIVATE KEY", other.key().getEncoded()));
    ConfigException e = assertThrows(ConfigException.class, () -> startTls(cert, key));
    assertTrue(e.getMessage().contains("tls.certificate"), e.getMessage());
  }

  private static X509Certificate presented(SSLContext ctx, int port) throws IOException {
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }
}
