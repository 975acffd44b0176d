package dev.vellum.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {
  private static Manifest sample() {
    return new Manifest(
        "acme",
        "tenant=acme/source=S/type=T/year=2026/month=01/day=02/acme-3-9-0123abcd.parquet",
        100,
        "0123abcd",
        5,
        Manifest.ranges(new long[] {3, 4, 5, 8, 9}),
        3,
        9,
        "2026-01-02T00:00:00Z",
        "2026-01-02T01:00:00Z",
        "S",
        "T",
        "2026-01-02",
        10,
        "cm9vdA==",
        "note\n",
        "2026-01-03T00:00:00Z");
  }

  @Test
  void groupsSortedSeqsIntoInclusiveRanges() {
    List<long[]> r = Manifest.ranges(new long[] {3, 4, 5, 8, 9, 11});
    assertEquals(3, r.size());
    assertArrayEquals(new long[] {3, 5}, r.get(0));
    assertArrayEquals(new long[] {8, 9}, r.get(1));
    assertArrayEquals(new long[] {11, 11}, r.get(2));
  }

  @Test
  void coversExactlyTheSeqsOfItsRanges() {
    Manifest m = sample();
    assertTrue(m.covers(3));
    assertTrue(m.covers(9));
    assertFalse(m.covers(6));
    assertFalse(m.covers(10));
  }

  @Test
  void parsesWhatItWrites() throws IOException {
    Manifest m = sample();
    Manifest back = Manifest.parse(m.toJson());
    assertEquals(m.toJson(), back.toJson());
    assertTrue(m.toJson().startsWith("{\"format\":\"vellum-archive-manifest/1\""));
  }

  @Test
  void rejectsAnotherFormatAndMissingMembersNamingThem() {
    IOException format =
        assertThrows(
            IOException.class,
            () -> Manifest.parse(sample().toJson().replace("manifest/1", "manifest/9")));
    assertTrue(format.getMessage().contains("format"), format.getMessage());
    IOException missing =
        assertThrows(
            IOException.class,
            () -> Manifest.parse(sample().toJson().replace("\"sha256\"", "\"sha\"")));
    assertTrue(missing.getMessage().contains("sha256"), missing.getMessage());
  }
}
