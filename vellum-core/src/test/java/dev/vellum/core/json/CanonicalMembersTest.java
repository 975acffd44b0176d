package dev.vellum.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CanonicalMembersTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void joiningMembersRenderedApartEqualsCanonicalisingTheWhole() throws Exception {
    Random r = new Random(8785);
    for (int i = 0; i < 2_000; i++) {
      ObjectNode o = randomObject(r, 3);
      TreeMap<String, String> members = CanonicalJson.canonicalMembers(o);
      // add members later, as the sequencer adds its own
      ObjectNode whole = o.deepCopy();
      TreeMap<String, String> later = new TreeMap<>();
      for (String extra : new String[] {"seq", "tenant", "Z", "é", "a"}) {
        if (r.nextBoolean() && !o.has(extra)) {
          JsonNode v = json.getNodeFactory().numberNode(r.nextInt(1000));
          whole.set(extra, v);
          later.put(extra, CanonicalJson.member(extra, v));
        }
      }
      String expected = CanonicalJson.canonicalString(whole);
      assertEquals(expected, CanonicalJson.mergeMembers(members, later), "seed 8785 case " + i);
      members.putAll(later);
      assertEquals(expected, CanonicalJson.joinMembers(members.values()), "seed 8785 case " + i);
    }
  }

  private ObjectNode randomObject(Random r, int depth) {
    ObjectNode o = json.createObjectNode();
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) {
      String key =
          switch (r.nextInt(5)) {
            case 0 -> "k" + r.nextInt(20);
            case 1 -> "\u00e9t\u00e9" + i;
            case 2 -> "\ud83d\ude00" + i;
            case 3 -> "A" + i;
            default -> "line\nbreak" + i;
          };
      switch (r.nextInt(5)) {
        case 0 -> o.put(key, r.nextDouble() * 1e6);
        case 1 -> o.put(key, "v\"" + r.nextInt());
        case 2 -> o.put(key, r.nextBoolean());
        case 3 -> o.putNull(key);
        default ->
            o.set(
                key,
                depth > 0 ? randomObject(r, depth - 1) : json.createArrayNode().add(1).add("x"));
      }
    }
    return o;
  }
}
