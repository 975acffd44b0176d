package dev.vellum.notify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Vellum-Signature} header of a webhook: {@code t=<unix seconds>,v1=<hex HMAC-SHA256>}
 * where the HMAC, keyed with the channel's secret (its UTF-8 bytes), covers {@code t + "." + body}.
 * This is the Stripe convention: the timestamp inside the signed bytes lets a receiver reject
 * replays older than its tolerance, and {@code v1} leaves room for a later scheme.
 */
public final class WebhookSignature {
  public static final String HEADER = "Vellum-Signature";

  private WebhookSignature() {}

  /** The header value for {@code body} sent at {@code unixSeconds}. */
  public static String header(String secret, long unixSeconds, byte[] body) {
    return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(mac(secret, unixSeconds, body));
  }

  /**
   * What a receiver does: true when {@code header} carries a {@code v1} signature of {@code body}
   * under {@code secret} whose timestamp is within {@code toleranceSeconds} of {@code nowSeconds}.
   */
  public static boolean verify(
      String secret, String header, byte[] body, long nowSeconds, long toleranceSeconds) {
    long t = -1;
    byte[] expected = null;
    for (String part : header.split(",")) {
      String p = part.strip();
      if (p.startsWith("t=")) {
        try {
          t = Long.parseLong(p.substring(2));
        } catch (NumberFormatException e) {
          return false;
        }
      }
    }
    if (t < 0 || Math.abs(nowSeconds - t) > toleranceSeconds) {
      return false;
    }
    expected = mac(secret, t, body);
    for (String part : header.split(",")) {
      String p = part.strip();
      if (p.startsWith("v1=")) {
        try {
          if (MessageDigest.isEqual(expected, HexFormat.of().parseHex(p.substring(3)))) {
            return true;
          }
        } catch (IllegalArgumentException notHex) {
          // an unparseable signature never matches; try the next one
        }
      }
    }
    return false;
  }

  private static byte[] mac(String secret, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
