package dev.vellum.core.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import org.jspecify.annotations.Nullable;

/** Number serialisation of RFC 8785 §3.2.2.3: ECMAScript {@code Number.prototype.toString}. */
final class EcmaNumbers {

  private static final double TWO_POW_53 = 9007199254740992d;

  private EcmaNumbers() {}

  /*
   * ECMA-262 (edition 10+, §7.1.12.1 Number::toString, which RFC 8785 §3.2.2.3 adopts):
   * let n, k, s be integers with k >= 1, 10^(k-1) <= s < 10^k, s * 10^(n-k) = v, and k as small
   * as possible (the shortest decimal that round-trips to v); if several s qualify, take the one
   * nearest to v, and of two equally near the even one. Then:
   *   k <= n <= 21       digits of s followed by n-k zeros              1e21 -> "1e+21"
   *   0 < n <= 21        first n digits, '.', the remaining k-n digits
   *   -6 < n <= 0        "0." then -n zeros then the digits
   *   otherwise          d[.ddd]e(+|-)(n-1)
   *
   * Java 17's Double.toString round-trips but is not always the shortest (JDK-4511638), so the
   * digits are found here directly: for k = 1..17 round the exact binary value to k significant
   * digits (HALF_EVEN gives the nearest, ties to even) and stop at the first k whose result
   * parses back to v. When the nearest k-digit decimal misses the rounding interval, the other
   * neighbour may still hit it (the interval is asymmetric at powers of two), so it is tried too.
   * Double.parseDouble is correctly rounded, so "parses back" is exact.
   */

  /**
   * Returns the ECMAScript string form of {@code v}.
   *
   * @throws IllegalArgumentException if {@code v} is NaN or infinite (not allowed in I-JSON)
   */
  static String toString(double v, Object pointer) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      throw new NotIJsonException(
          pointer,
          "number at '"
              + pointer
              + "' is "
              + v
              + ", which JSON cannot represent (RFC 8785 §3.2.2.3)");
    }
    if (v == 0) {
      return "0"; // both +0 and -0
    }
    if (Math.abs(v) <= TWO_POW_53 && v == Math.rint(v)) {
      return Long.toString((long) v); // exact integers: the shortest digits are all the digits
    }
    StringBuilder out = new StringBuilder(26);
    if (v < 0) {
      out.append('-');
    }
    BigDecimal shortest = shortestDecimal(Math.abs(v));
    String digits = shortest.unscaledValue().toString();
    int k = digits.length();
    int n = k - shortest.scale();
    if (k <= n && n <= 21) {
      out.append(digits);
      out.append("0".repeat(n - k));
    } else if (0 < n && n <= 21) {
      out.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      out.append("0.").append("0".repeat(-n)).append(digits);
    } else {
      out.append(digits.charAt(0));
      if (k > 1) {
        out.append('.').append(digits, 1, k);
      }
      int e = n - 1;
      out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
    }
    return out.toString();
  }

  /**
   * The shortest, then nearest, decimal that parses to {@code v > 0}, without trailing zeros.
   *
   * <p>Precisions that round-trip are upward closed: a j-digit decimal that parses to v is also a
   * (j+1)-digit one, and if any p-digit decimal lies in v's rounding interval then the nearest
   * p-digit decimal or its neighbour on the other side does (the interval is convex around v).
   * Double.toString's digit count round-trips, so the search walks down from it and stops at the
   * first precision with no candidate: usually two tries instead of up to seventeen.
   */
  private static BigDecimal shortestDecimal(double v) {
    BigDecimal exact = new BigDecimal(v);
    BigDecimal best = null;
    for (int precision = Math.min(17, digitsOfJavaToString(v)); precision >= 1; precision--) {
      BigDecimal candidate = candidate(exact, precision, v);
      if (candidate == null) {
        break;
      }
      best = candidate;
    }
    if (best != null) {
      return best.stripTrailingZeros();
    }
    for (int precision = 1; precision <= 17; precision++) {
      BigDecimal candidate = candidate(exact, precision, v);
      if (candidate != null) {
        return candidate.stripTrailingZeros();
      }
    }
    throw new AssertionError("17 significant digits always round-trip a double: " + v);
  }

  /**
   * The nearest {@code precision}-digit decimal that parses to v, else its neighbour, else null.
   */
  private static @Nullable BigDecimal candidate(BigDecimal exact, int precision, double v) {
    BigDecimal nearest = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
    if (parsesTo(nearest, v)) {
      return nearest;
    }
    RoundingMode other = nearest.compareTo(exact) > 0 ? RoundingMode.DOWN : RoundingMode.UP;
    BigDecimal neighbour = exact.round(new MathContext(precision, other));
    return parsesTo(neighbour, v) ? neighbour : null;
  }

  /** Significant digits in Java's own round-tripping rendering of {@code v > 0}. */
  private static int digitsOfJavaToString(double v) {
    String s = Double.toString(v);
    int e = s.indexOf('E');
    String mantissa = (e < 0 ? s : s.substring(0, e)).replace(".", "");
    int start = 0;
    while (start < mantissa.length() - 1 && mantissa.charAt(start) == '0') {
      start++;
    }
    int end = mantissa.length();
    while (end > start + 1 && mantissa.charAt(end - 1) == '0') {
      end--;
    }
    return end - start;
  }

  private static boolean parsesTo(BigDecimal candidate, double v) {
    return Double.parseDouble(candidate.toString()) == v;
  }
}
