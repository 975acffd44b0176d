package dev.vellum.core.note;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointTest {

  private static final String ROOT_B64 = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=";

  @Test
  void noteTextIsOriginSizeAndBase64Root() {
    Checkpoint cp =
        new Checkpoint("vellum.local/acme", 8, java.util.Base64.getDecoder().decode(ROOT_B64));
    assertEquals("vellum.local/acme\n8\n" + ROOT_B64 + "\n", cp.toNoteText());
  }

  @Test
  void extensionLinesFollowTheRoot() {
    Checkpoint cp = new Checkpoint("o", 0, new byte[32], List.of("a b", "c"));
    String text = cp.toNoteText();
    assertEquals("o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\na b\nc\n", text);
    assertEquals(cp, Checkpoint.parse(text));
  }

  @Test
  void parseRoundTrips() {
    String text = "example.com/log\n18446744\n" + ROOT_B64 + "\n";
    assertEquals(text, Checkpoint.parse(text).toNoteText());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "o\n1\n",
        "o\n1\n" + ROOT_B64,
        "\n1\n" + ROOT_B64 + "\n",
        "o\n01\n" + ROOT_B64 + "\n",
        "o\n-1\n" + ROOT_B64 + "\n",
        "o\n+1\n" + ROOT_B64 + "\n",
        "o\n 1\n" + ROOT_B64 + "\n",
        "o\n99999999999999999999\n" + ROOT_B64 + "\n",
        "o\n1\nAAAA\n",
        "o\n1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg\n",
        "o\n1\n" + ROOT_B64 + "\n\n",
        "o\n1\n" + ROOT_B64 + "\next\n\n",
        "o\n1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7/RgQyg=\n",
        "o\r\n1\n" + ROOT_B64 + "\n",
      })
  void parseRejectsMalformedText(String text) {
    assertThrows(NoteException.class, () -> Checkpoint.parse(text));
  }

  @Test
  void constructorRejectsInvalidParts() {
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("", 1, new byte[32]));
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("a\nb", 1, new byte[32]));
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("o", -1, new byte[32]));
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("o", 1, new byte[31]));
    assertThrows(
        IllegalArgumentException.class, () -> new Checkpoint("o", 1, new byte[32], List.of("")));
  }

  @Test
  void rootHashIsDefensivelyCopied() {
    byte[] root = new byte[32];
    Checkpoint cp = new Checkpoint("o", 1, root);
    root[0] = 1;
    cp.rootHash()[1] = 1;
    assertEquals(new Checkpoint("o", 1, new byte[32]), cp);
  }
}
