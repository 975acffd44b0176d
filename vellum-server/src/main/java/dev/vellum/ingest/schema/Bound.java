package dev.vellum.ingest.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;

/**
 * A {@code minimum} or {@code maximum} (both inclusive). Compares the exact values, as networknt
 * does (BigDecimal, with an infinite double beyond every bound), but without a BigDecimal per value
 * in the usual cases.
 */
final class Bound {
  /** Integers of at most 2^53 are exact doubles, and doubles of them print exactly. */
  private static final double EXACT = 9007199254740992d;

  private final boolean minimum;
  private final BigDecimal limit;
  private final String text;

  /** The limit as a long and a double when it is an integer small enough for both fast paths. */
  private final boolean smallInteger;

  private final long asLong;

  Bound(boolean minimum, BigDecimal limit) {
    this.minimum = minimum;
    this.limit = limit;
    this.text = limit.toPlainString();
    this.smallInteger =
        limit.stripTrailingZeros().scale() <= 0
            && limit.abs().compareTo(BigDecimal.valueOf((long) EXACT)) <= 0;
    this.asLong = smallInteger ? limit.longValueExact() : 0;
  }

  /** Whether the number {@code n} lies outside the bound. */
  boolean violatedBy(JsonNode n) {
    int sign;
    if (smallInteger && (n.isInt() || n.isLong())) {
      sign = Long.compare(n.longValue(), asLong);
    } else if (n.isDouble() || n.isFloat()) {
      double d = n.doubleValue();
      if (Double.isInfinite(d)) {
        sign = d > 0 ? 1 : -1;
      } else if (smallInteger) {
        // exact: a double equal to the integer limit prints as it, and one that differs from
        // the limit never has a shortest decimal form on the other side of it
        sign = Double.compare(d == 0 ? 0d : d, (double) asLong);
      } else {
        sign = n.decimalValue().compareTo(limit);
      }
    } else {
      sign = n.decimalValue().compareTo(limit);
    }
    return minimum ? sign < 0 : sign > 0;
  }

  String message() {
    return minimum ? "must be at least " + text : "must be at most " + text;
  }
}
