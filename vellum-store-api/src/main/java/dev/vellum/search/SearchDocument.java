package dev.vellum.search;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the search index keeps of one stored event besides its columns: the (type, id) of each
 * target, its tags, and the full text (every string and number the client sent).
 */
public record SearchDocument(List<String[]> targets, List<String> tags, String text) {
  /** Added by the server; searching them would make every number match every event. */
  private static final Set<String> SERVER_MEMBERS =
      Set.of("tenant", "received_at", "seq", "leaf_version");

  public static SearchDocument of(JsonNode body) {
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
    StringBuilder text = new StringBuilder(1024);
    for (Iterator<Map.Entry<String, JsonNode>> it = body.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> member = it.next();
      if (!SERVER_MEMBERS.contains(member.getKey())) {
        collect(member.getValue(), text);
      }
    }
    return new SearchDocument(targets, tags, text.toString());
  }

  private static void collect(JsonNode node, StringBuilder sb) {
    if (node.isTextual()) {
      sb.append(node.textValue()).append(' ');
    } else if (node.isNumber()) {
      sb.append(node.asText()).append(' ');
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
          it.hasNext(); ) {
        collect(it.next().getValue(), sb);
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        collect(child, sb);
      }
    }
  }
}
