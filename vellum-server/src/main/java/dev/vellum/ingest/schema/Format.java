package dev.vellum.ingest.schema;

import com.ethlo.time.ITU;
import com.ethlo.time.LeapSecondException;
import com.networknt.schema.format.IPv6Format;
import org.jspecify.annotations.Nullable;

/**
 * The {@code format} values the base schema uses, each deciding exactly as networknt 2.0.8 does
 * with format assertions on (its {@code Formats.DEFAULT}), because the split validation must accept
 * and reject the same events as the full schema did.
 */
enum Format {
  /** networknt: {@code \p{XDigit}{8}-\p{XDigit}{4}-\p{XDigit}{4}-\p{XDigit}{4}-\p{XDigit}{12}}. */
  UUID("uuid", "must be a UUID (8-4-4-4-12 hexadecimal digits)") {
    @Override
    boolean accepts(String s) {
      if (s.length() != 36) {
        return false;
      }
      for (int i = 0; i < 36; i++) {
        char c = s.charAt(i);
        boolean ok = (i == 8 || i == 13 || i == 18 || i == 23) ? c == '-' : isHexDigit(c);
        if (!ok) {
          return false;
        }
      }
      return true;
    }
  },
  /**
   * networknt's {@code DateTimeFormat}: ethlo ITU's RFC 3339 parser, where a leap second passes
   * only in a month that had one.
   */
  DATE_TIME("date-time", "must be an RFC 3339 date-time") {
    @Override
    boolean accepts(String s) {
      try {
        ITU.parseDateTime(s);
        return true;
      } catch (LeapSecondException e) {
        return e.isVerifiedValidLeapYearMonth();
      } catch (RuntimeException e) {
        return false;
      }
    }
  },
  /**
   * networknt: four dot-separated decimal octets 0-255 without leading zeros ({@code 01} is
   * refused), matched against the whole string.
   */
  IPV4("ipv4", "must be an IPv4 address in dotted-decimal form") {
    @Override
    boolean accepts(String s) {
      int i = 0;
      for (int octet = 0; octet < 4; octet++) {
        if (octet > 0) {
          if (i >= s.length() || s.charAt(i) != '.') {
            return false;
          }
          i++;
        }
        int start = i;
        int value = 0;
        while (i < s.length() && i - start < 3 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
          value = value * 10 + (s.charAt(i++) - '0');
        }
        int digits = i - start;
        if (digits == 0 || (digits > 1 && s.charAt(start) == '0') || value > 255) {
          return false;
        }
      }
      return i == s.length();
    }
  },
  /**
   * networknt's {@code IPv6Format}: no surrounding white space, no zone id ({@code %eth0}), then
   * its own RFC 4291 expression (IPv4-embedded forms included). The expression is networknt's
   * public constant so the two can never differ.
   */
  IPV6("ipv6", "must be an IPv6 address (RFC 4291, no zone id)") {
    @Override
    boolean accepts(String s) {
      return s.trim().equals(s) && s.indexOf('%') < 0 && IPv6Format.PATTERN.matcher(s).matches();
    }
  };

  final String keywordValue;
  final String message;

  Format(String keywordValue, String message) {
    this.keywordValue = keywordValue;
    this.message = message;
  }

  abstract boolean accepts(String value);

  /** The format named by a schema, or null when it is not one of these. */
  static @Nullable Format named(String name) {
    for (Format f : values()) {
      if (f.keywordValue.equals(name)) {
        return f;
      }
    }
    return null;
  }

  /** {@code \p{XDigit}} of java.util.regex: ASCII only, unlike {@link Character#digit}. */
  private static boolean isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
