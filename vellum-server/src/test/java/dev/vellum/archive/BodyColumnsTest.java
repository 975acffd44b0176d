package dev.vellum.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.json.CanonicalJson;
import dev.vellum.core.sample.SampleEvents;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming read of a body's columns gives exactly what a parsed tree gives. */
class BodyColumnsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<String> columns(BodyColumns b) {
    List<String> out = new ArrayList<>();
    for (int c = 0; c < BodyColumns.COUNT; c++) {
      out.add(String.valueOf(b.get(c)));
    }
    out.add("leaf_version=" + b.leafVersion());
    return out;
  }

  private static void assertSameAsTree(String body) throws IOException {
    BodyColumns tree = new BodyColumns();
    tree.fromTree(JSON.readTree(body));
    assertEquals(columns(tree), columns(new BodyColumns().read(body)), body);
  }

  @Test
  void everyDemoEventGivesTheColumnsOfItsParsedTree() throws Exception {
    SampleEvents samples = new SampleEvents(3);
    Instant at = Instant.parse("2026-11-30T12:00:00Z");
    BodyColumns streaming = new BodyColumns(); // reused, as a seal reuses it
    BodyColumns tree = new BodyColumns();
    for (int i = 0; i < 3_000; i++) {
      String body = CanonicalJson.canonicalString(samples.next(at, "APP"));
      tree.fromTree(JSON.readTree(body));
      assertEquals(columns(tree), columns(streaming.read(body)), body);
    }
  }

  @Test
  void escapesNumbersNullsAndOddShapesComeOutAsFromTheTree() throws Exception {
    List<String> bodies =
        List.of(
            "{}",
            "{\"actor\":null,\"targets\":null,\"reason\":null}",
            "{\"actor\":\"someone\",\"tags\":[]}",
            "{\"actor\":[1,2],\"metadata\":{}}",
            "{\"actor\":{\"type\":\"user\",\"id\":42,\"name\":true,\"ip\":1.50,"
                + "\"user_agent\":{\"a\":1},\"device\":\"phone\",\"location\":[1e+21,-0,0.1]}}",
            "{\"session_id\":12345678901234567890123,\"request_id\":-0.0,"
                + "\"related_event_id\":[\"x\"],\"reason\":\"line\\nbreak \\u0001 \\\"q\\\" é 😀 /\"}",
            "{\"metadata\":{\"n\":1e400,\"m\":1e-400,\"big\":123456789012345678901234567890,"
                + "\"s\":\"\\u2028\\t\",\"deep\":{\"a\":[{\"b\":[null,false]}]}}}",
            "{\"changes\":[{\"field\":\"x\",\"from\":1.0,\"to\":2.5e-7}],\"leaf_version\":2}",
            "{\"leaf_version\":\"3\"}",
            "{\"leaf_version\":null}",
            "{\"leaf_version\":{\"v\":2}}",
            "{\"leaf_version\":2.9}");
    for (String body : bodies) {
      assertSameAsTree(body);
    }
  }

  @Test
  void aDuplicatedMemberKeepsTheLastValueAsATreeDoes() throws Exception {
    String body = "{\"reason\":\"first\",\"metadata\":{\"k\":1,\"k\":2},\"reason\":\"last\"}";
    assertSameAsTree(body);
    BodyColumns b = new BodyColumns().read(body);
    assertEquals("last", b.get(BodyColumns.REASON));
    assertEquals("{\"k\":2}", b.get(BodyColumns.METADATA));
  }

  @Test
  void aReusedReaderForgetsThePreviousBodysValues() throws Exception {
    ObjectNode full = JSON.createObjectNode().put("reason", "r").put("leaf_version", 2);
    full.putObject("actor").put("id", "u1");
    BodyColumns b = new BodyColumns().read(full.toString());
    b.read("{}");
    for (int c = 0; c < BodyColumns.COUNT; c++) {
      assertNull(b.get(c));
    }
    assertEquals(1, b.leafVersion());
  }

  @Test
  void aBodyThatIsNotJsonFails() {
    assertThrows(IOException.class, () -> new BodyColumns().read("{\"reason\":"));
  }
}
