package dev.vellum.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An audit event under construction, in Vellum's canonical form: {@code
 * AuditEvent.type("DOCUMENT_DOWNLOADED").actor(Actor.user("alice")).target("document",
 * "D-17").outcome(Outcome.SUCCESS).metadata("document_type", "BILLING")}. Not thread-safe; {@link
 * VellumClient#record} copies it, so it may be changed or reused afterwards. Members left out are
 * filled in when it is recorded: {@code id} (a UUIDv7), {@code occurred_at} (now) and {@code
 * source} (the client's default).
 */
public final class AuditEvent {
  static final ObjectMapper JSON = new ObjectMapper();
  private final ObjectNode json;

  private AuditEvent(ObjectNode json) {
    this.json = json;
  }

  public static AuditEvent type(String type) {
    AuditEvent e = new AuditEvent(JSON.createObjectNode());
    e.json.put("type", type);
    return e;
  }

  /** An event given as canonical JSON (an object); for example one line of a JSON-lines file. */
  public static AuditEvent fromJson(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("an audit event must be a JSON object");
      }
      return new AuditEvent((ObjectNode) node);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
  }

  static AuditEvent fromJson(ObjectNode node) {
    return new AuditEvent(node.deepCopy());
  }

  /** A UUID of your own; normally left out, so the client assigns a UUIDv7. */
  public AuditEvent id(String id) {
    json.put("id", id);
    return this;
  }

  public AuditEvent occurredAt(Instant at) {
    json.put("occurred_at", at.toString());
    return this;
  }

  public AuditEvent source(String source) {
    json.put("source", source);
    return this;
  }

  public AuditEvent category(String category) {
    json.put("category", category);
    return this;
  }

  public AuditEvent outcome(Outcome outcome) {
    json.put("outcome", outcome.wire());
    return this;
  }

  public AuditEvent severity(Severity severity) {
    json.put("severity", severity.wire());
    return this;
  }

  public AuditEvent actor(Actor actor) {
    json.set("actor", actor.toJson());
    return this;
  }

  /** Adds a target; may be called several times. */
  public AuditEvent target(String type, String id) {
    return target(type, id, null);
  }

  public AuditEvent target(String type, String id, @Nullable String name) {
    ObjectNode t = targets().addObject().put("type", type).put("id", id);
    if (name != null) {
      t.put("name", name);
    }
    return this;
  }

  public AuditEvent sessionId(String sessionId) {
    json.put("session_id", sessionId);
    return this;
  }

  public AuditEvent requestId(String requestId) {
    json.put("request_id", requestId);
    return this;
  }

  public AuditEvent relatedEventId(String id) {
    json.put("related_event_id", id);
    return this;
  }

  public AuditEvent reason(String reason) {
    json.put("reason", reason);
    return this;
  }

  /** Adds one entry of {@code changes}; {@code before} and {@code after} may be any JSON value. */
  public AuditEvent change(String path, Object before, Object after) {
    ArrayNode changes =
        json.has("changes") ? (ArrayNode) json.get("changes") : json.putArray("changes");
    ObjectNode c = changes.addObject().put("path", path);
    c.set("before", JSON.valueToTree(before));
    c.set("after", JSON.valueToTree(after));
    return this;
  }

  public AuditEvent tag(String... tags) {
    ArrayNode t = json.has("tags") ? (ArrayNode) json.get("tags") : json.putArray("tags");
    for (String tag : tags) {
      t.add(tag);
    }
    return this;
  }

  /** Sets one member of {@code metadata}; the value may be any JSON-mappable object. */
  public AuditEvent metadata(String name, Object value) {
    ObjectNode m =
        json.has("metadata") ? (ObjectNode) json.get("metadata") : json.putObject("metadata");
    m.set(name, JSON.valueToTree(value));
    return this;
  }

  public AuditEvent metadata(Map<String, ?> values) {
    values.forEach(this::metadata);
    return this;
  }

  /** A copy of the event as JSON. */
  public ObjectNode toJson() {
    return json.deepCopy();
  }

  private ArrayNode targets() {
    return json.has("targets") ? (ArrayNode) json.get("targets") : json.putArray("targets");
  }

  @Override
  public String toString() {
    return json.toString();
  }
}
