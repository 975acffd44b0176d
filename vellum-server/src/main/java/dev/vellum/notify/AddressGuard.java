package dev.vellum.notify;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Refuses outbound targets that resolve to addresses inside the node's own networks (loopback,
 * link-local including the cloud metadata address 169.254.169.254, private and carrier-grade NAT
 * ranges, unique-local IPv6, unspecified, multicast and reserved), unless the operator lists them
 * in {@code notify.allow} as CIDRs or host names.
 *
 * <p>Every address a name resolves to must pass, so that a name with one public and one private
 * address cannot be used to reach the private one. The sender connects only to the addresses this
 * guard returned (the HTTP client's resolver is this guard), so a DNS answer that changes between
 * the check and the connection (DNS rebinding) cannot slip through.
 */
final class AddressGuard {
  /** Thrown for a refused target; an {@link UnknownHostException} so the HTTP client passes it. */
  static final class Refused extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  private static final List<Cidr> BLOCKED =
      List.of(
          Cidr.parse("0.0.0.0/8"),
          Cidr.parse("10.0.0.0/8"),
          Cidr.parse("100.64.0.0/10"),
          Cidr.parse("127.0.0.0/8"),
          Cidr.parse("169.254.0.0/16"),
          Cidr.parse("172.16.0.0/12"),
          Cidr.parse("192.0.0.0/24"),
          Cidr.parse("192.168.0.0/16"),
          Cidr.parse("198.18.0.0/15"),
          Cidr.parse("224.0.0.0/4"),
          Cidr.parse("240.0.0.0/4"),
          Cidr.parse("::/128"),
          Cidr.parse("::1/128"),
          Cidr.parse("fc00::/7"),
          Cidr.parse("fe80::/10"),
          Cidr.parse("fec0::/10"),
          Cidr.parse("ff00::/8"));

  private final List<Cidr> allowedRanges = new ArrayList<>();
  private final Set<String> allowedHosts = new HashSet<>();

  /** {@code allow}: CIDRs ({@code 127.0.0.1/32}), single addresses, or host names. */
  AddressGuard(List<String> allow) {
    for (String entry : allow) {
      String e = entry.strip().toLowerCase(Locale.ROOT);
      if (e.contains("/") || Cidr.isLiteral(e)) {
        allowedRanges.add(Cidr.parse(e.contains("/") ? e : e + (e.contains(":") ? "/128" : "/32")));
      } else {
        allowedHosts.add(e);
      }
    }
  }

  /** Resolves {@code host} and returns its addresses if every one is permitted. */
  InetAddress[] resolve(String host) throws UnknownHostException {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    InetAddress[] addresses = InetAddress.getAllByName(h);
    if (allowedHosts.contains(h)) {
      return addresses;
    }
    for (InetAddress a : addresses) {
      Optional<String> why = refusal(a);
      if (why.isPresent()) {
        throw new Refused(
            "host "
                + host
                + " resolves to "
                + a.getHostAddress()
                + ", "
                + why.get()
                + " address that notify.allow does not list");
      }
    }
    return addresses;
  }

  /** Why {@code a} is refused ("a loopback"), or empty when it may be reached. */
  Optional<String> refusal(InetAddress a) {
    for (Cidr c : allowedRanges) {
      if (c.contains(a)) {
        return Optional.empty();
      }
    }
    if (a.isLoopbackAddress()) {
      return Optional.of("a loopback");
    }
    if (a.isAnyLocalAddress()) {
      return Optional.of("an unspecified");
    }
    if (a.isLinkLocalAddress()) {
      return Optional.of("a link-local (or cloud metadata)");
    }
    if (a.isSiteLocalAddress()) {
      return Optional.of("a private");
    }
    for (Cidr c : BLOCKED) {
      if (c.contains(a)) {
        return Optional.of("a private or reserved (" + c + ")");
      }
    }
    return Optional.empty();
  }

  /** An address range: the network's bytes and how many leading bits must match. */
  record Cidr(byte[] network, int bits, String text) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      String addr = text.substring(0, slash);
      if (!isLiteral(addr)) {
        throw new IllegalArgumentException("not an IP address: " + addr);
      }
      byte[] network;
      try {
        network = InetAddress.getByName(addr).getAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an IP address: " + addr, e);
      }
      int bits;
      try {
        bits = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a prefix length: " + text, e);
      }
      if (bits < 0 || bits > network.length * 8) {
        throw new IllegalArgumentException("prefix length out of range: " + text);
      }
      return new Cidr(network, bits, text);
    }

    /** Whether {@code s} is an IPv4 or IPv6 literal, so that parsing it never queries DNS. */
    static boolean isLiteral(String s) {
      return s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")
          || (s.contains(":") && s.matches("[0-9a-f:.]+"));
    }

    boolean contains(InetAddress a) {
      byte[] b = a.getAddress();
      if (b.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (b[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (b[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
