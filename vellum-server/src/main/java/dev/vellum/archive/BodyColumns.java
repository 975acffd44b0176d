package dev.vellum.archive;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The archive columns taken from an event's body (docs/archive.md): the actor's fields, the JSON
 * members as JSON text, the ids, the reason and {@code leaf_version}, read in one streaming pass.
 *
 * <p>Why streaming: parsing each body into a tree and writing the JSON members back out was most of
 * a seal's Java time and garbage. Here members the columns do not need are skipped unparsed, and
 * JSON members are copied token by token through the same generator a tree's {@code toString} uses,
 * so every value is the text that {@link #fromTree} (the reference, kept for tests) gives: a
 * string's text for a string, the shortest form Jackson writes for a number read as a tree, the
 * compact JSON for an object or array. A duplicated member (which stored canonical bodies never
 * have) would be copied twice where a tree keeps the last, so the parser detects duplicates and
 * such a body takes the tree's way.
 */
final class BodyColumns {
  // in the order of ParquetFiles.COLUMNS, which appends them by index, from actor_type to reason
  static final int ACTOR_TYPE = 0;
  static final int ACTOR_ID = 1;
  static final int ACTOR_NAME = 2;
  static final int ACTOR_IP = 3;
  static final int ACTOR_USER_AGENT = 4;
  static final int ACTOR_DEVICE = 5;
  static final int ACTOR_LOCATION = 6;
  static final int TARGETS = 7;
  static final int CHANGES = 8;
  static final int TAGS = 9;
  static final int METADATA = 10;
  static final int SESSION_ID = 11;
  static final int REQUEST_ID = 12;
  static final int RELATED_EVENT_ID = 13;
  static final int REASON = 14;
  static final int COUNT = 15;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory STRICT =
      JSON.getFactory().copy().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final @Nullable String[] values = new String[COUNT];
  private int leafVersion;
  private final StringWriter out = new StringWriter(256);

  /** The text of column {@code column} (one of the constants), null when the body has none. */
  @Nullable String get(int column) {
    return values[column];
  }

  int leafVersion() {
    return leafVersion;
  }

  /** Reads {@code body}'s columns into this (reused from event to event: one per writer). */
  BodyColumns read(String body) throws IOException {
    Arrays.fill(values, null);
    leafVersion = 1;
    try (JsonParser p = STRICT.createParser(body)) {
      readTop(p);
    } catch (StreamReadException e) {
      fromTree(JSON.readTree(body)); // a duplicated member; or not JSON, which throws here too
    }
    return this;
  }

  private void readTop(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      fromTree(JSON.readTree(p));
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "actor" -> readActor(p, t);
        case "targets" -> values[TARGETS] = json(p, t);
        case "changes" -> values[CHANGES] = json(p, t);
        case "tags" -> values[TAGS] = json(p, t);
        case "metadata" -> values[METADATA] = json(p, t);
        case "session_id" -> values[SESSION_ID] = text(p, t);
        case "request_id" -> values[REQUEST_ID] = text(p, t);
        case "related_event_id" -> values[RELATED_EVENT_ID] = text(p, t);
        case "reason" -> values[REASON] = text(p, t);
        case "leaf_version" -> leafVersion = node(p).asInt(1);
        default -> p.skipChildren();
      }
    }
  }

  private void readActor(JsonParser p, JsonToken t) throws IOException {
    for (int c = ACTOR_TYPE; c <= ACTOR_LOCATION; c++) {
      values[c] = null; // a tree's last member wins; and only an object has fields
    }
    if (t != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "type" -> values[ACTOR_TYPE] = text(p, v);
        case "id" -> values[ACTOR_ID] = text(p, v);
        case "name" -> values[ACTOR_NAME] = text(p, v);
        case "ip" -> values[ACTOR_IP] = text(p, v);
        case "user_agent" -> values[ACTOR_USER_AGENT] = text(p, v);
        case "device" -> values[ACTOR_DEVICE] = json(p, v);
        case "location" -> values[ACTOR_LOCATION] = json(p, v);
        default -> p.skipChildren();
      }
    }
  }

  /** A value as a text column: a string's text, other scalars as a tree writes them, else JSON. */
  private @Nullable String text(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (t.isScalarValue() && t != JsonToken.VALUE_NULL) {
      return node(p).asText(); // numbers and booleans: rare, and exactly as before
    }
    return json(p, t);
  }

  /** A value as a JSON column: null for JSON null, else the compact JSON text. */
  private @Nullable String json(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    out.getBuffer().setLength(0);
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.copyCurrentStructure(p);
    }
    return out.toString();
  }

  /** The current value read as a tree would hold it. */
  private static JsonNode node(JsonParser p) throws IOException {
    return JSON.readTree(p);
  }

  /** The columns as a parsed tree gives them: the reference the streaming pass must equal. */
  void fromTree(JsonNode b) {
    Arrays.fill(values, null);
    JsonNode actor = b.path("actor");
    values[ACTOR_TYPE] = text(actor.get("type"));
    values[ACTOR_ID] = text(actor.get("id"));
    values[ACTOR_NAME] = text(actor.get("name"));
    values[ACTOR_IP] = text(actor.get("ip"));
    values[ACTOR_USER_AGENT] = text(actor.get("user_agent"));
    values[ACTOR_DEVICE] = json(actor.get("device"));
    values[ACTOR_LOCATION] = json(actor.get("location"));
    values[TARGETS] = json(b.get("targets"));
    values[CHANGES] = json(b.get("changes"));
    values[TAGS] = json(b.get("tags"));
    values[METADATA] = json(b.get("metadata"));
    values[SESSION_ID] = text(b.get("session_id"));
    values[REQUEST_ID] = text(b.get("request_id"));
    values[RELATED_EVENT_ID] = text(b.get("related_event_id"));
    values[REASON] = text(b.get("reason"));
    leafVersion = b.path("leaf_version").asInt(1);
  }

  private static @Nullable String text(@Nullable JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return null;
    }
    return v.isValueNode() ? v.asText() : v.toString();
  }

  private static @Nullable String json(@Nullable JsonNode v) {
    return v == null || v.isNull() || v.isMissingNode() ? null : v.toString();
  }
}
