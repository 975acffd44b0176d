package dev.vellum.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outbound address guard over literal addresses (no DNS), table-driven. */
class AddressGuardTest {
  private final AddressGuard none = new AddressGuard(List.of());

  @Test
  void refusesInternalRanges() throws Exception {
    for (String a :
        List.of(
            "127.0.0.1",
            "127.255.0.9",
            "0.0.0.0",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.254",
            "192.168.0.1",
            "169.254.169.254",
            "169.254.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1")) {
      assertTrue(none.refusal(InetAddress.getByName(a)).isPresent(), a + " must be refused");
      assertThrows(AddressGuard.Refused.class, () -> none.resolve(a), a);
    }
  }

  @Test
  void permitsPublicAddresses() throws Exception {
    for (String a :
        List.of(
            "8.8.8.8",
            "1.1.1.1",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "2606:4700:4700::1111")) {
      assertEquals(java.util.Optional.empty(), none.refusal(InetAddress.getByName(a)), a);
      assertEquals(1, none.resolve(a).length, a);
    }
  }

  @Test
  void allowListOpensExactlyItsRanges() throws Exception {
    AddressGuard g = new AddressGuard(List.of("127.0.0.1/32", "10.1.0.0/16", "fd00::5"));
    assertTrue(g.refusal(InetAddress.getByName("127.0.0.1")).isEmpty());
    assertTrue(g.refusal(InetAddress.getByName("127.0.0.2")).isPresent());
    assertTrue(g.refusal(InetAddress.getByName("10.1.200.3")).isEmpty());
    assertTrue(g.refusal(InetAddress.getByName("10.2.0.1")).isPresent());
    assertTrue(g.refusal(InetAddress.getByName("fd00::5")).isEmpty());
    assertTrue(g.refusal(InetAddress.getByName("fd00::6")).isPresent());
  }

  @Test
  void allowListedHostNameSkipsTheAddressCheck() throws Exception {
    AddressGuard g = new AddressGuard(List.of("localhost"));
    assertTrue(g.resolve("localhost").length >= 1);
    assertThrows(AddressGuard.Refused.class, () -> none.resolve("localhost"));
  }

  @Test
  void rejectsMalformedAllowEntries() {
    assertThrows(IllegalArgumentException.class, () -> new AddressGuard(List.of("10.0.0.0/33")));
    assertThrows(IllegalArgumentException.class, () -> new AddressGuard(List.of("10.0.0.0/x")));
  }
}
