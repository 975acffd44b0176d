package dev.vellum.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.auth.Principal;
import dev.vellum.ingest.IngestService;
import org.jspecify.annotations.Nullable;

/**
 * The audit events of administrative changes, written through the normal ingest path into the
 * tenant's log: API_KEY_CREATED and API_KEY_REVOKED for keys, CONFIGURATION_CHANGED (component
 * {@code tenants}, {@code sources}, {@code event_types} or {@code usage_plans}, with the change as
 * {@code before}/{@code after}) for the rest. Secrets never enter an event.
 */
final class AdminAudit {
  private final IngestService ingest;
  private final ObjectMapper json;

  AdminAudit(IngestService ingest, ObjectMapper json) {
    this.ingest = ingest;
    this.json = json;
  }

  void keyCreated(
      Principal actor, String tenant, String keyId, String name, Iterable<String> scopes) {
    ObjectNode md = json.createObjectNode().put("key_id", keyId).put("key_name", name);
    ArrayNode s = md.putArray("scopes");
    scopes.forEach(s::add);
    ingest.recordAdminChange(
        actor, tenant, "API_KEY_CREATED", new String[] {"api_key", keyId}, md, null);
  }

  void keyRevoked(Principal actor, String tenant, String keyId) {
    ingest.recordAdminChange(
        actor,
        tenant,
        "API_KEY_REVOKED",
        new String[] {"api_key", keyId},
        json.createObjectNode().put("key_id", keyId),
        null);
  }

  /** A change of one configuration object: {@code before} is null when it was created. */
  void configurationChanged(
      Principal actor,
      String tenant,
      String component,
      String targetType,
      String id,
      @Nullable JsonNode before,
      JsonNode after) {
    ArrayNode changes = json.createArrayNode();
    ObjectNode c = changes.addObject().put("path", "/" + component + "/" + id);
    c.set("before", before == null ? json.nullNode() : before);
    c.set("after", after == null ? json.nullNode() : after);
    ingest.recordAdminChange(
        actor,
        tenant,
        "CONFIGURATION_CHANGED",
        new String[] {targetType, id},
        json.createObjectNode().put("component", component),
        changes);
  }
}
