package dev.vellum.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Vellum-Signature header against a known answer and a receiver's checks. */
class WebhookSignatureTest {
  private static final byte[] BODY = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

  @Test
  void matchesAKnownAnswer() {
    // computed independently with: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac
    // whsec_test
    assertEquals(
        "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789",
        WebhookSignature.header("whsec_test", 1_700_000_000L, BODY));
  }

  @Test
  void verifiesWithinToleranceOnly() {
    String h = WebhookSignature.header("whsec_test", 1_000, BODY);
    assertTrue(WebhookSignature.verify("whsec_test", h, BODY, 1_200, 300));
    assertFalse(WebhookSignature.verify("whsec_test", h, BODY, 1_301, 300), "a replay later on");
    assertFalse(WebhookSignature.verify("whsec_test", h, BODY, 699, 300));
  }

  @Test
  void rejectsAnyChangedByteOrKey() {
    Random random = new Random(13);
    for (int i = 0; i < 200; i++) {
      byte[] body = new byte[1 + random.nextInt(300)];
      random.nextBytes(body);
      String h = WebhookSignature.header("whsec_k", 5_000, body);
      assertTrue(WebhookSignature.verify("whsec_k", h, body, 5_000, 300));
      byte[] changed = body.clone();
      changed[random.nextInt(changed.length)] ^= (byte) (1 + random.nextInt(255));
      assertFalse(WebhookSignature.verify("whsec_k", h, changed, 5_000, 300));
      assertFalse(WebhookSignature.verify("whsec_j", h, body, 5_000, 300));
      assertFalse(
          WebhookSignature.verify("whsec_k", h.replace("t=5000", "t=5001"), body, 5_000, 300),
          "the timestamp is signed too");
    }
  }

  @Test
  void rejectsMalformedHeaders() {
    for (String h : new String[] {"", "t=x,v1=00", "v1=00", "t=5000", "t=5000,v1=zz"}) {
      assertFalse(WebhookSignature.verify("whsec_k", h, BODY, 5_000, 300), h);
    }
  }
}
