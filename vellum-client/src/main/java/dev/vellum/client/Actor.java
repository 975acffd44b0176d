package dev.vellum.client;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Who did it: {@code actor} of an event. {@code Actor.user("alice").ip("203.0.113.7")}. */
public final class Actor {
  private final ObjectNode json = JsonNodeFactory.instance.objectNode();

  private Actor(String type, String id) {
    json.put("type", type);
    json.put("id", id);
  }

  public static Actor of(String type, String id) {
    return new Actor(type, id);
  }

  public static Actor user(String id) {
    return new Actor("user", id);
  }

  public static Actor service(String id) {
    return new Actor("service", id);
  }

  public Actor name(String name) {
    json.put("name", name);
    return this;
  }

  public Actor ip(String ip) {
    json.put("ip", ip);
    return this;
  }

  public Actor userAgent(String userAgent) {
    json.put("user_agent", userAgent);
    return this;
  }

  ObjectNode toJson() {
    return json.deepCopy();
  }
}
