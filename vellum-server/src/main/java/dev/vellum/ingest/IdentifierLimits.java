package dev.vellum.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.core.event.FieldError;
import java.util.List;
import java.util.Map;

/**
 * Length limits of the identifier-like members of an event, checked before anything that costs
 * memory or time per distinct value (type lookup, schema validation, caches, search index).
 *
 * <p>The limits are the base schema's ({@code event.json}), enforced here early and cheaply so that
 * a hostile value (a 1 MB type name, a million tags) is refused with a short message that does not
 * echo it, before it can reach a lookup. An event the base schema accepts is never refused here;
 * docs/api.md lists the limits.
 */
final class IdentifierLimits {
  static final int TYPE = 128;
  static final int SOURCE = 128;
  static final int CATEGORY = 64;
  static final int ID = 256;
  static final int ACTOR_TYPE = 64;
  static final int TARGET_TYPE = 64;
  static final int MAX_TARGETS = 100;
  static final int TAG = 128;
  static final int MAX_TAGS = 50;
  static final int METADATA_KEY = 128;

  /** Members of {@code metadata} in all, at any depth. */
  static final int MAX_METADATA_KEYS = 1_000;

  /** The top-level members that hold an identifier, and their limit. */
  private static final Map<String, Integer> TOP_LEVEL =
      Map.of(
          "type",
          TYPE,
          "source",
          SOURCE,
          "category",
          CATEGORY,
          "id",
          ID,
          "session_id",
          ID,
          "request_id",
          ID,
          "related_event_id",
          ID);

  private IdentifierLimits() {}

  /** Adds one error per member over its limit; returns true if any was found. */
  static boolean check(JsonNode event, List<FieldError> errors) {
    int before = errors.size();
    for (Map.Entry<String, Integer> m : TOP_LEVEL.entrySet()) {
      text(event.get(m.getKey()), "/" + m.getKey(), m.getValue(), errors);
    }
    JsonNode actor = event.get("actor");
    if (actor != null && actor.isObject()) {
      text(actor.get("id"), "/actor/id", ID, errors);
      text(actor.get("type"), "/actor/type", ACTOR_TYPE, errors);
    }
    JsonNode targets = event.get("targets");
    if (targets != null && targets.isArray()) {
      if (targets.size() > MAX_TARGETS) {
        errors.add(
            new FieldError(
                "/targets", "at most " + MAX_TARGETS + " targets; got " + targets.size()));
      } else {
        for (int i = 0; i < targets.size(); i++) {
          text(targets.get(i).get("id"), "/targets/" + i + "/id", ID, errors);
          text(targets.get(i).get("type"), "/targets/" + i + "/type", TARGET_TYPE, errors);
        }
      }
    }
    JsonNode tags = event.get("tags");
    if (tags != null && tags.isArray()) {
      if (tags.size() > MAX_TAGS) {
        errors.add(new FieldError("/tags", "at most " + MAX_TAGS + " tags; got " + tags.size()));
      } else {
        for (int i = 0; i < tags.size(); i++) {
          text(tags.get(i), "/tags/" + i, TAG, errors);
        }
      }
    }
    JsonNode metadata = event.get("metadata");
    if (metadata != null && metadata.isContainerNode()) {
      int[] count = {0};
      metadataKeys(metadata, "/metadata", count, errors);
    }
    return errors.size() > before;
  }

  private static void text(JsonNode value, String pointer, int max, List<FieldError> errors) {
    if (value != null && value.isTextual() && value.textValue().length() > max) {
      errors.add(
          new FieldError(
              pointer,
              "is longer than " + max + " characters (" + value.textValue().length() + ")"));
    }
  }

  /**
   * Checks member names of metadata at every depth; returns false at the first problem, which is
   * the only one reported for metadata.
   */
  private static boolean metadataKeys(
      JsonNode node, String pointer, int[] count, List<FieldError> errors) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> f : node.properties()) {
        if (++count[0] > MAX_METADATA_KEYS) {
          errors.add(
              new FieldError(
                  "/metadata", "at most " + MAX_METADATA_KEYS + " members in all, at any depth"));
          return false;
        }
        String key = f.getKey();
        if (key.length() > METADATA_KEY) {
          errors.add(
              new FieldError(
                  pointer,
                  "has a member name longer than "
                      + METADATA_KEY
                      + " characters ("
                      + key.length()
                      + ")"));
          return false;
        }
        if (!metadataKeys(f.getValue(), pointer + "/" + escape(key), count, errors)) {
          return false;
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        if (!metadataKeys(node.get(i), pointer + "/" + i, count, errors)) {
          return false;
        }
      }
    }
    return true;
  }

  private static String escape(String member) {
    return member.replace("~", "~0").replace("/", "~1");
  }
}
