package dev.vellum.ingest.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.networknt.schema.format.Formats;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each format check against networknt 2.0.8's own, on edge cases and seeded random strings. */
class FormatTest {
  private static final List<String> EDGE_CASES =
      List.of(
          "",
          " ",
          "\n",
          // uuid
          "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
          "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B",
          "0190a1b2c3d47e5f8a9b0c1d2e3f4a5b",
          "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5g",
          "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\n",
          "{0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b}",
          "\uff10190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
          "\u0660190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
          // date-time
          "2026-01-15T10:00:00Z",
          "2026-01-15t10:00:00z",
          "2026-01-15 10:00:00Z",
          "2026-01-15T10:00:00.123456789+01:00",
          "2026-01-15T10:00:00-00:00",
          "2016-12-31T23:59:60Z",
          "2026-01-15T23:59:60Z",
          "2026-02-29T00:00:00Z",
          "2026-01-15T10:00:00",
          "2026-01-15T10:00:00+0100",
          "2026-01-15T10:00:00[Europe/Paris]",
          "2026-01-15T10:00:00Z\n",
          "2026-01-15T24:00:00Z",
          "10000-01-01T00:00:00Z",
          // ipv4
          "192.0.2.1",
          "0.0.0.0",
          "255.255.255.255",
          "256.0.0.1",
          "01.2.3.4",
          "1.2.3.00",
          "1.2.3",
          "1.2.3.4.5",
          "1.2.3.4\n",
          " 1.2.3.4",
          "1..2.3",
          "\u0661.2.3.4",
          "1.2.3.4/32",
          "1234.1.1.1",
          // ipv6
          "::",
          "::1",
          "2001:db8::1",
          "1:2:3:4:5:6:7:8",
          "1:2:3:4:5:6:7:8:9",
          "1:2:3:4:5:6:7::",
          "::ffff:192.0.2.1",
          "::ffff:192.0.2.01",
          "1:2:3:4:5:6:1.2.3.4",
          "1:2:3:4:5:6:7:1.2.3.4",
          "fe80::1%eth0",
          "2001:db8::1 ",
          "\t2001:db8::1",
          "[2001:db8::1]",
          "1::2::3",
          "g::1",
          "02001:db8::1",
          "2001:db8::1\n");

  @Test
  void decidesLikeNetworkntOnEdgeCases() {
    for (Format f : Format.values()) {
      for (String s : EDGE_CASES) {
        assertEquals(networknt(f, s), f.accepts(s), f + " of " + s);
      }
    }
  }

  @Test
  void decidesLikeNetworkntOnRandomStrings() {
    Random rnd = new Random(20261128L);
    String[][] valid = {
      {"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"},
      {"2026-01-15T10:00:00.123+01:00", "2016-12-31T23:59:60Z", "2024-02-29T00:00:00Z"},
      {"192.0.2.1", "10.0.0.255"},
      {"2001:db8::1", "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8", "fe80::"}
    };
    String[] alphabets = {
      "0123456789abcdefABCDEF-g", "0123456789-:TtZz.+ ", "0123456789.", "0123456789abcdefABCDEF:.% "
    };
    for (Format f : Format.values()) {
      String alphabet = alphabets[f.ordinal()];
      String[] seeds = valid[f.ordinal()];
      for (int i = 0; i < 20_000; i++) {
        String s =
            rnd.nextInt(4) == 0
                ? random(rnd, alphabet, 1 + rnd.nextInt(40))
                : edited(rnd, seeds[rnd.nextInt(seeds.length)], alphabet);
        assertEquals(networknt(f, s), f.accepts(s), f + " of " + s);
      }
    }
  }

  private static boolean networknt(Format f, String s) {
    com.networknt.schema.format.Format theirs =
        Formats.DEFAULT.stream()
            .filter(x -> x.getName().equals(f.keywordValue))
            .findFirst()
            .orElseThrow();
    return theirs.matches(null, s); // none of these four reads the execution context
  }

  /** {@code valid} with one to three characters replaced, inserted or deleted. */
  private static String edited(Random rnd, String valid, String alphabet) {
    StringBuilder sb = new StringBuilder(valid);
    for (int edits = 1 + rnd.nextInt(3); edits > 0 && sb.length() > 0; edits--) {
      int at = rnd.nextInt(sb.length());
      char c = alphabet.charAt(rnd.nextInt(alphabet.length()));
      switch (rnd.nextInt(3)) {
        case 0 -> sb.setCharAt(at, c);
        case 1 -> sb.insert(at, c);
        default -> sb.deleteCharAt(at);
      }
    }
    return sb.toString();
  }

  private static String random(Random rnd, String alphabet, int length) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}
