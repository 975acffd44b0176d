package dev.vellum.search;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the search index keeps of one stored event besides its columns: the (type, id) of each
 * target, its tags, and the full text (every string and number the client sent).
 */
public record SearchDocument(List<String[]> targets, List<String> tags, String text) {
  /** Added by the server; searching them would make every number match every event. */
  private static final Set<String> SERVER_MEMBERS =
      Set.of("tenant", "received_at", "seq", "leaf_version");

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Reads the document in one streaming pass over the stored body, without building a tree: the
   * search index calls this for every committed event, and a tree was a tenth of its indexing time.
   * An object's values count like an array's elements under {@code targets} and {@code tags}.
   *
   * @throws IOException when {@code json} is not one JSON object
   */
  public static SearchDocument parse(String json) throws IOException {
    List<String[]> targets = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    StringBuilder text = new StringBuilder(1024);
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("the body is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (SERVER_MEMBERS.contains(name)) {
          p.skipChildren();
        } else if (name.equals("targets") && value.isStructStart()) {
          readTargets(p, targets, text);
        } else if (name.equals("tags") && value.isStructStart()) {
          readTags(p, tags, text);
        } else {
          collect(p, text);
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw new IOException("the body is not one complete JSON object");
      }
    }
    return new SearchDocument(targets, tags, text.toString());
  }

  private static void readTargets(JsonParser p, List<String[]> targets, StringBuilder text)
      throws IOException {
    while (nextElement(p)) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        collect(p, text);
        continue;
      }
      String type = null;
      String id = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (value == JsonToken.VALUE_STRING && name.equals("type")) {
          type = p.getText();
        } else if (value == JsonToken.VALUE_STRING && name.equals("id")) {
          id = p.getText();
        }
        collect(p, text);
      }
      if (type != null && id != null) {
        targets.add(new String[] {type, id});
      }
    }
  }

  private static void readTags(JsonParser p, List<String> tags, StringBuilder text)
      throws IOException {
    while (nextElement(p)) {
      if (p.currentToken() == JsonToken.VALUE_STRING) {
        tags.add(p.getText());
      }
      collect(p, text);
    }
  }

  /**
   * Moves to the next element of the array or object the parser is in (the tree version iterates an
   * object's values as it does an array's elements); false at its end.
   */
  private static boolean nextElement(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.FIELD_NAME) {
      t = p.nextToken();
    }
    return t != JsonToken.END_ARRAY && t != JsonToken.END_OBJECT;
  }

  /** Appends the strings and numbers of the value at the parser, in document order. */
  private static void collect(JsonParser p, StringBuilder sb) throws IOException {
    switch (p.currentToken()) {
      case VALUE_STRING, VALUE_NUMBER_INT -> sb.append(p.getText()).append(' ');
      case VALUE_NUMBER_FLOAT -> sb.append(p.getDoubleValue()).append(' ');
      case START_OBJECT -> {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          p.nextToken();
          collect(p, sb);
        }
      }
      case START_ARRAY -> {
        while (p.nextToken() != JsonToken.END_ARRAY) {
          collect(p, sb);
        }
      }
      default -> {}
    }
  }
}
