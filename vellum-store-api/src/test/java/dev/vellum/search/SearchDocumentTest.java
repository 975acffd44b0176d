package dev.vellum.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SearchDocumentTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final List<String> NAMES =
      List.of("type", "id", "tags", "targets", "seq", "tenant", "metadata", "reason", "x");

  @Test
  void streamingParseGivesTheSameDocumentAsTheTreeForRandomBodies() throws IOException {
    Random r = new Random(20261130L);
    for (int i = 0; i < 5_000; i++) {
      ObjectNode body = randomObject(r, 0);
      byte[] bytes = JSON.writeValueAsBytes(body);
      SearchDocument fromTree = fromTree(JSON.readTree(bytes));
      SearchDocument streamed = SearchDocument.parse(new String(bytes, StandardCharsets.UTF_8));
      String what = "body " + new String(bytes, StandardCharsets.UTF_8);
      assertEquals(fromTree.text(), streamed.text(), what);
      assertEquals(fromTree.tags(), streamed.tags(), what);
      assertEquals(render(fromTree.targets()), render(streamed.targets()), what);
    }
  }

  @Test
  void readsTargetsTagsAndTextOfATypicalEvent() throws IOException {
    String body =
        "{\"type\":\"DOCUMENT_READ\",\"seq\":7,\"tenant\":\"acme\",\"tags\":[\"phi\",3],"
            + "\"targets\":[{\"type\":\"document\",\"id\":\"d-1\",\"name\":\"Scan\"},{\"id\":\"x\"}],"
            + "\"metadata\":{\"size\":1.5,\"pages\":[2,\"two\"]}}";
    SearchDocument d = SearchDocument.parse(body);
    assertEquals(List.of("phi"), d.tags());
    assertEquals("[document/d-1]", render(d.targets()));
    assertEquals("DOCUMENT_READ phi 3 document d-1 Scan x 1.5 2 two ", d.text());
  }

  @Test
  void rejectsABodyThatIsNotOneObject() {
    assertThrows(IOException.class, () -> SearchDocument.parse("[1]"));
    assertThrows(IOException.class, () -> SearchDocument.parse("{\"a\":"));
  }

  /**
   * The oracle: the same document computed from a parsed tree, the way the index computed it before
   * the streaming read (server-added members skipped; an object's values iterate like an array's
   * elements).
   */
  private static SearchDocument fromTree(JsonNode body) {
    List<String[]> targets = new ArrayList<>();
    for (JsonNode t : body.path("targets")) {
      if (t.path("type").isTextual() && t.path("id").isTextual()) {
        targets.add(new String[] {t.get("type").textValue(), t.get("id").textValue()});
      }
    }
    List<String> tags = new ArrayList<>();
    for (JsonNode t : body.path("tags")) {
      if (t.isTextual()) {
        tags.add(t.textValue());
      }
    }
    StringBuilder text = new StringBuilder();
    body.properties()
        .forEach(
            m -> {
              if (!Set.of("tenant", "received_at", "seq", "leaf_version").contains(m.getKey())) {
                collect(m.getValue(), text);
              }
            });
    return new SearchDocument(targets, tags, text.toString());
  }

  private static void collect(JsonNode node, StringBuilder sb) {
    if (node.isTextual()) {
      sb.append(node.textValue()).append(' ');
    } else if (node.isNumber()) {
      sb.append(node.asText()).append(' ');
    } else if (node.isContainerNode()) {
      node.forEach(child -> collect(child, sb));
    }
  }

  private static String render(List<String[]> targets) {
    StringBuilder sb = new StringBuilder("[");
    for (String[] t : targets) {
      sb.append(sb.length() > 1 ? "," : "").append(t[0]).append('/').append(t[1]);
    }
    return sb.append(']').toString();
  }

  private static ObjectNode randomObject(Random r, int depth) {
    ObjectNode o = NODES.objectNode();
    for (int i = r.nextInt(5); i >= 0; i--) {
      o.set(
          NAMES.get(r.nextInt(NAMES.size())) + (r.nextInt(4) == 0 ? i : ""), randomValue(r, depth));
    }
    return o;
  }

  private static JsonNode randomValue(Random r, int depth) {
    int kind = r.nextInt(depth > 3 ? 5 : 8);
    return switch (kind) {
      case 0 -> NODES.textNode("w" + r.nextInt(50) + " é-" + r.nextInt(9));
      case 1 -> NODES.numberNode(r.nextLong() >> r.nextInt(64));
      case 2 -> NODES.numberNode(r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20));
      case 3 -> NODES.booleanNode(r.nextBoolean());
      case 4 -> NODES.nullNode();
      case 5 -> randomObject(r, depth + 1);
      default -> {
        ArrayNode a = NODES.arrayNode();
        for (int i = r.nextInt(4); i > 0; i--) {
          a.add(r.nextInt(3) == 0 ? targetLike(r) : randomValue(r, depth + 1));
        }
        yield a;
      }
    };
  }

  private static JsonNode targetLike(Random r) {
    ObjectNode t = NODES.objectNode();
    if (r.nextInt(5) > 0) {
      t.put("type", "user");
    }
    if (r.nextInt(5) > 0) {
      t.set("id", r.nextBoolean() ? NODES.textNode("u" + r.nextInt(9)) : NODES.numberNode(4));
    }
    return t;
  }
}
