package dev.vellum.ingest;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Time-ordered UUIDs (RFC 9562 version 7). Ids made this way arrive in roughly ascending order,
 * which keeps the unique (tenant, id) index append-mostly and cheap to maintain.
 */
final class Uuid7 {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Uuid7() {}

  public static UUID next() {
    long millis = System.currentTimeMillis();
    long randA = RANDOM.nextInt(1 << 12);
    long msb = (millis << 16) | (0x7L << 12) | randA;
    long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }
}
