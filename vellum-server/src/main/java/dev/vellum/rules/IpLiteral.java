package dev.vellum.rules;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/** IP address literals for {@code cidr}, parsed without ever asking DNS. */
final class IpLiteral {
  private static final java.util.regex.Pattern V4 =
      java.util.regex.Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final java.util.regex.Pattern V6 =
      java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private IpLiteral() {}

  /** The address bytes (4 or 16), or null when {@code s} is not an IP literal. */
  static byte @Nullable [] parse(String s) {
    java.util.regex.Matcher m = V4.matcher(s);
    if (m.matches()) {
      byte[] out = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(m.group(i + 1));
        if (octet > 255) {
          return null;
        }
        out[i] = (byte) octet;
      }
      return out;
    }
    if (s.indexOf(':') < 0 || !V6.matcher(s).matches()) {
      return null; // only literals reach InetAddress, so it never resolves a name
    }
    try {
      byte[] b = InetAddress.getByName(s).getAddress();
      return b.length == 16 ? b : null;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  static boolean samePrefix(byte[] a, byte[] b, int bits) {
    int full = bits / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (a[full] & mask) == (b[full] & mask);
  }
}
