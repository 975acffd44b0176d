package dev.vellum.core.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Path encoding of C2SP tlog-tiles; the 1234067 example is the spec's own. */
class TilePathTest {

  @ParameterizedTest(name = "{3}")
  @CsvSource({
    "0, 0, 256, tile/0/000",
    "0, 1, 256, tile/0/001",
    "1, 999, 256, tile/1/999",
    "0, 1000, 256, tile/0/x001/000",
    "0, 1234067, 256, tile/0/x001/x234/067",
    "2, 1234067, 8, tile/2/x001/x234/067.p/8",
    "3, 5, 1, tile/3/005.p/1",
    "0, 0, 255, tile/0/000.p/255",
    "63, 9223372036854775807, 256, tile/63/x009/x223/x372/x036/x854/x775/807",
  })
  void encodesAndParsesTheSpecExamples(int level, long index, int width, String path) {
    TilePath t = new TilePath(level, index, width);
    assertEquals(path, t.toString());
    assertEquals(t, TilePath.parse(path));
  }

  @Test
  void roundTripsRandomPaths() {
    Random random = new Random(256);
    for (int i = 0; i < 10_000; i++) {
      TilePath t =
          new TilePath(
              random.nextInt(8),
              (random.nextLong() >>> 1) >>> random.nextInt(63),
              1 + random.nextInt(256));
      assertEquals(t, TilePath.parse(t.toString()));
    }
  }

  @Test
  void partialOnlyBelowFullWidth() {
    assertTrue(new TilePath(0, 0, 255).isPartial());
    assertFalse(new TilePath(0, 0, 256).isPartial());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "tile/",
        "tile/0",
        "tile/0/",
        "/tile/0/000",
        "tile/0/000/",
        "tiles/0/000",
        "tile/00/000",
        "tile/-1/000",
        "tile/64/000",
        "tile/a/000",
        "tile/entries/000",
        "tile/0/00",
        "tile/0/0000",
        "tile/0/1",
        "tile/0/x001",
        "tile/0/001/000",
        "tile/0/x000/001",
        "tile/0/x01/000",
        "tile/0/xx01/000",
        "tile/0/x001/x000",
        "tile/0/+01",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/08",
        "tile/0/000.p/",
        "tile/0/000.p",
        "tile/0/000.p/8/",
        "tile/0/000.p/8x",
        "tile/0/000.q/8",
        "tile/0/x001.p/000",
        "tile/0/x009/x223/x372/x036/x854/x775/808",
        "tile/0/x001/x001/x001/x001/x001/x001/x001/001",
      })
  void rejectsMalformedPaths(String path) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TilePath.parse(path));
    assertTrue(e.getMessage().contains("malformed tile path"), e.getMessage());
  }

  @Test
  void rejectsNull() {
    assertThrows(IllegalArgumentException.class, () -> TilePath.parse(null));
  }

  @Test
  void rejectsOutOfRangeComponents() {
    assertThrows(IllegalArgumentException.class, () -> new TilePath(-1, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new TilePath(0, -1, 1));
    assertThrows(IllegalArgumentException.class, () -> new TilePath(0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new TilePath(0, 0, 257));
  }
}
