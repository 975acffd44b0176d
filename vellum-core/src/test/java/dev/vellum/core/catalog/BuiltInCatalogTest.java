package dev.vellum.core.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BuiltInCatalogTest {

  static final ObjectMapper M = new ObjectMapper();
  static final Set<String> CATEGORIES =
      Set.of(
          "user_access",
          "account_management",
          "document",
          "financial",
          "configuration",
          "data_access",
          "software_delivery",
          "vendor",
          "backup",
          "support",
          "policy",
          "operations",
          "workforce",
          "system");

  static Stream<String> types() {
    return BuiltInCatalog.typeNames().stream();
  }

  @Test
  void indexListsEveryTypeFileOnceAndCoversTheIssue() {
    List<String> names = BuiltInCatalog.typeNames();
    assertEquals(names.size(), new HashSet<>(names).size(), "duplicates in index.json");
    assertTrue(names.size() >= 100, "catalogue size " + names.size());
    for (String required :
        List.of(
            "LOGIN_ATTEMPT",
            "LOGIN_SUCCESSFUL",
            "LOGIN_FAILED",
            "MULTIPLE_LOGIN_FAILED",
            "UNUSUAL_LOGIN_LOCATION",
            "ACCOUNT_LOCKOUT",
            "LOGOUT_SUCCESSFUL",
            "SESSION_REFRESH",
            "SESSION_EXPIRED",
            "OTP_GENERATED",
            "OTP_SENT",
            "OTP_VALIDATION_SUCCESS",
            "OTP_VALIDATION_FAILED",
            "USER_ACCOUNT_CREATED",
            "USER_ACCOUNT_MODIFIED",
            "USER_ACCOUNT_DELETED",
            "ROLE_ASSIGNED",
            "ROLE_REVOKED",
            "PASSWORD_CHANGED",
            "PASSWORD_CHANGE_FAILED",
            "PASSWORD_RESET_REQUESTED",
            "DOCUMENT_UPLOAD_INITIATED",
            "DOCUMENT_UPLOAD_COMPLETED",
            "DOCUMENT_UPLOAD_FAILED",
            "DOCUMENT_METADATA_CREATED",
            "DOCUMENT_METADATA_UPDATED",
            "DOCUMENT_METADATA_DELETED",
            "DOCUMENT_CONTENT_VIEWED",
            "DOCUMENT_METADATA_VIEWED",
            "DOCUMENT_DOWNLOADED",
            "DOCUMENT_MODIFIED",
            "DOCUMENT_DELETION_REQUESTED",
            "DOCUMENT_DELETED",
            "DOCUMENT_ARCHIVED",
            "DOCUMENT_RESTORED",
            "DOCUMENT_REDACTION_REQUESTED",
            "DOCUMENT_REDACTED",
            "DOCUMENT_ACCESS_GRANTED",
            "DOCUMENT_ACCESS_REVOKED",
            "DOCUMENT_PERMISSIONS_CHANGED",
            "DOCUMENT_SHARING_ENABLED",
            "DOCUMENT_SHARING_DISABLED",
            "DOCUMENT_INTEGRITY_CHECKED",
            "DOCUMENT_INTEGRITY_FAILED",
            "VERIFICATION_REQUEST_RECEIVED",
            "VERIFICATION_REQUEST_ASSIGNED",
            "VERIFICATION_REQUEST_IN_PROGRESS",
            "VERIFICATION_REQUEST_FAILED",
            "DOCUMENT_VERIFICATION_SUCCESSFUL",
            "DOCUMENT_VERIFICATION_FAILED",
            "DOCUMENT_VERIFICATION_PENDING",
            "AUDIT_LOG_ACCESSED",
            "ORDER_FULFILLED",
            "SLA_BREACHED")) {
      assertTrue(names.contains(required), required);
    }
    Set<String> seen = new HashSet<>();
    for (String t : names) {
      seen.add(BuiltInCatalog.categoryOf(t));
    }
    assertEquals(CATEGORIES, seen);
  }

  @Test
  void baseSchemaShape() throws Exception {
    JsonNode base = M.readTree(BuiltInCatalog.baseSchemaText());
    assertEquals(BuiltInCatalog.BASE_SCHEMA_ID, base.get("$id").asText());
    assertFalse(base.get("additionalProperties").asBoolean(true));
    Set<String> members = new HashSet<>();
    base.get("properties").fieldNames().forEachRemaining(members::add);
    assertEquals(
        Set.of(
            "id",
            "occurred_at",
            "source",
            "type",
            "category",
            "outcome",
            "severity",
            "actor",
            "targets",
            "session_id",
            "request_id",
            "related_event_id",
            "reason",
            "changes",
            "tags",
            "metadata",
            "tenant",
            "received_at",
            "seq",
            "leaf_hash",
            "leaf_version"),
        members);
  }

  @Test
  void unknownTypeIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> BuiltInCatalog.schemaText("NOPE_NOT_A_TYPE"));
    assertThrows(IllegalArgumentException.class, () -> BuiltInCatalog.schemaText("../event"));
    assertNotNull(BuiltInCatalog.textForId(BuiltInCatalog.BASE_SCHEMA_ID));
    assertNotNull(BuiltInCatalog.textForId("https://schemas.vellum.dev/types/LOGIN_FAILED.json"));
  }

  @ParameterizedTest
  @MethodSource("types")
  void typeSchemaShape(String type) throws Exception {
    JsonNode s = M.readTree(BuiltInCatalog.schemaText(type));
    assertEquals("https://json-schema.org/draft/2020-12/schema", s.get("$schema").asText());
    assertEquals("https://schemas.vellum.dev/types/" + type + ".json", s.get("$id").asText());
    assertEquals(type, s.get("title").asText());
    assertFalse(s.path("description").asText().isBlank());
    String category = BuiltInCatalog.category(s);
    assertTrue(CATEGORIES.contains(category), type + " category " + category);
    assertEquals(category, s.at("/properties/category/const").asText());
    assertEquals(type, s.at("/properties/type/const").asText());
    assertEquals(BuiltInCatalog.BASE_SCHEMA_ID, s.at("/allOf/0/$ref").asText());
    assertTrue(
        Set.of("success", "failure", "unknown").contains(BuiltInCatalog.defaultOutcome(type)));
    assertTrue(
        Set.of("debug", "info", "notice", "warning", "error", "critical")
            .contains(BuiltInCatalog.defaultSeverity(type)));
    // metadata member names are snake_case
    s.at("/properties/metadata/properties")
        .fieldNames()
        .forEachRemaining(n -> assertTrue(n.matches("[a-z][a-z0-9_]*"), type + " metadata " + n));
  }

  @ParameterizedTest
  @MethodSource("types")
  void fullExampleValidates(String type) {
    ObjectNode ev = example(type, true);
    List<Error> errors = CatalogValidator.validate(ev);
    assertTrue(errors.isEmpty(), type + ": " + CatalogValidator.describe(errors) + "\n" + ev);
  }

  @ParameterizedTest
  @MethodSource("types")
  void minimalExampleValidates(String type) {
    ObjectNode ev = example(type, false);
    List<Error> errors = CatalogValidator.validate(ev);
    assertTrue(errors.isEmpty(), type + ": " + CatalogValidator.describe(errors) + "\n" + ev);
  }

  @ParameterizedTest
  @MethodSource("types")
  void requiredMetadataIsEnforced(String type) {
    JsonNode req = BuiltInCatalog.schema(type).at("/properties/metadata/required");
    if (!req.isArray() || req.isEmpty()) {
      return;
    }
    for (JsonNode r : req) {
      ObjectNode ev = example(type, true);
      ((ObjectNode) ev.get("metadata")).remove(r.asText());
      List<Error> errors = CatalogValidator.validate(ev);
      assertFalse(errors.isEmpty(), type + " without " + r);
      assertTrue(
          errors.stream()
              .anyMatch(
                  e ->
                      e.getInstanceLocation().toString().equals("/metadata")
                          && "required".equals(e.getKeyword())),
          CatalogValidator.describe(errors));
    }
  }

  @Test
  void badEnumValueInMetadataNamesThePointer() {
    ObjectNode ev = example("LOGIN_FAILED", true);
    ((ObjectNode) ev.get("metadata")).put("login_failure_code", "WRONG_PASSWORD");
    assertPointer(ev, "/metadata/login_failure_code", "enum");
  }

  @Test
  void unknownTopLevelMemberIsRejected() {
    ObjectNode ev = example("LOGIN_SUCCESSFUL", true);
    ev.put("eventtype", "LOGIN_SUCCESSFUL");
    List<Error> errors = CatalogValidator.validate(ev);
    assertTrue(
        errors.stream()
            .anyMatch(
                e ->
                    "additionalProperties".equals(e.getKeyword())
                        && (e.getInstanceLocation().toString().equals("/eventtype")
                            || "eventtype".equals(e.getProperty()))),
        CatalogValidator.describe(errors));
  }

  @Test
  void missingActorIdIsRejected() {
    ObjectNode ev = example("DOCUMENT_DOWNLOADED", true);
    ((ObjectNode) ev.get("actor")).remove("id");
    assertPointer(ev, "/actor", "required");
  }

  @Test
  void wrongCategoryIsRejected() {
    ObjectNode ev = example("PAYMENT_COMPLETED", true);
    ev.put("category", "user_access");
    assertPointer(ev, "/category", "const");
  }

  @Test
  void formatsAreAsserted() {
    ObjectNode ev = example("LOGIN_SUCCESSFUL", true);
    ev.put("occurred_at", "yesterday");
    assertPointer(ev, "/occurred_at", "format");
    ev = example("LOGIN_SUCCESSFUL", true);
    ((ObjectNode) ev.get("actor")).put("ip", "999.1.2.3");
    List<Error> errors = CatalogValidator.validate(ev);
    assertTrue(
        CatalogValidator.pointers(errors).contains("/actor/ip"), CatalogValidator.describe(errors));
    ((ObjectNode) ev.get("actor")).put("ip", "2001:db8::1");
    assertTrue(CatalogValidator.validate(ev).isEmpty());
    ev.put("id", "not-a-uuid");
    assertPointer(ev, "/id", "format");
    ev = example("SESSION_REFRESH", true);
    ((ObjectNode) ev.get("metadata")).put("session_start_time_new", "2024-13-45T99:00:00Z");
    assertPointer(ev, "/metadata/session_start_time_new", "format");
  }

  @Test
  void closedNestedObjectsAndTypes() {
    ObjectNode ev = example("DOCUMENT_DOWNLOADED", true);
    ((ObjectNode) ev.get("actor").get("device")).put("colour", "red");
    assertPointer(ev, "/actor/device", "additionalProperties");
    ev = example("DOCUMENT_DOWNLOADED", true);
    ((ObjectNode) ev.withArray("targets").get(0)).remove("id");
    assertPointer(ev, "/targets/0", "required");
    ev = example("LOGIN_FAILED", true);
    ((ObjectNode) ev.get("metadata")).put("login_previous_failed_attempts", "three");
    assertPointer(ev, "/metadata/login_previous_failed_attempts", "type");
    ev = example("LOGIN_FAILED", true);
    ev.put("outcome", "failed");
    assertPointer(ev, "/outcome", "enum");
    ev = example("LOGIN_FAILED", true);
    ev.remove("occurred_at");
    assertPointer(ev, "", "required");
    ev = example("LOGIN_FAILED", true);
    ev.put("type", "LOGIN_SUCCESSFUL");
    List<Error> errors = CatalogValidator.validate("LOGIN_FAILED", ev);
    assertTrue(
        errors.stream()
            .anyMatch(
                e ->
                    e.getInstanceLocation().toString().equals("/type")
                        && "const".equals(e.getKeyword())),
        CatalogValidator.describe(errors));
  }

  @Test
  void extraMetadataIsAllowedAndServerMembersToo() {
    ObjectNode ev = example("PAYMENT_COMPLETED", true);
    ((ObjectNode) ev.get("metadata")).put("loyalty_points", 12).put("campaign", "spring");
    ev.put("id", "018f3a4e-7b1c-7d2e-9f00-112233445566");
    ev.put("tenant", "default")
        .put("received_at", "2024-05-01T10:00:00.123Z")
        .put("seq", 17)
        .put("leaf_hash", "q83vEjRWeJA=")
        .put("leaf_version", 1);
    List<Error> errors = CatalogValidator.validate(ev);
    assertTrue(errors.isEmpty(), CatalogValidator.describe(errors));
  }

  @Test
  void amountAcceptsDecimalStringOrNumberButNotJunk() {
    ObjectNode ev = example("REFUND_ISSUED", true);
    ((ObjectNode) ev.get("metadata")).put("amount", 19.5);
    assertTrue(CatalogValidator.validate(ev).isEmpty());
    ((ObjectNode) ev.get("metadata")).put("amount", "19,50 EUR");
    assertPointer(ev, "/metadata/amount", "pattern");
    ev = example("REFUND_ISSUED", true);
    ((ObjectNode) ev.get("metadata")).put("currency", "euro");
    assertPointer(ev, "/metadata/currency", "pattern");
  }

  @Test
  void changesRequiredWhereTheTypeSaysSo() {
    ObjectNode ev = example("CONFIGURATION_CHANGED", true);
    ev.remove("changes");
    assertPointer(ev, "", "required");
    ev = example("CONFIGURATION_CHANGED", true);
    ev.putArray("changes");
    assertPointer(ev, "/changes", "minItems");
  }

  static void assertPointer(JsonNode ev, String pointer, String keyword) {
    List<Error> errors = CatalogValidator.validate(ev);
    assertTrue(
        errors.stream()
            .anyMatch(
                e ->
                    e.getInstanceLocation().toString().equals(pointer)
                        && keyword.equals(e.getKeyword())),
        "expected "
            + keyword
            + " at '"
            + pointer
            + "' but got:\n"
            + CatalogValidator.describe(errors));
  }

  // ---------------------------------------------------------------- example synthesis

  /**
   * A valid event for the type: every declared metadata member when {@code full}, else only
   * required ones.
   */
  static ObjectNode example(String type, boolean full) {
    JsonNode schema = BuiltInCatalog.schema(type);
    ObjectNode ev = M.createObjectNode();
    ev.put("occurred_at", "2024-05-01T09:30:15.250Z");
    ev.put("source", "DEMO_APP");
    ev.put("type", type);
    ObjectNode actor = ev.putObject("actor");
    actor.put("id", "maria.lopez@example.com");
    if (full) {
      ev.put("category", BuiltInCatalog.categoryOf(type));
      ev.put("outcome", BuiltInCatalog.defaultOutcome(type));
      ev.put("severity", BuiltInCatalog.defaultSeverity(type));
      actor
          .put("type", "user")
          .put("name", "María López")
          .put("ip", "203.0.113.24")
          .put("user_agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
      actor
          .putObject("device")
          .put("type", "desktop")
          .put("model", "ThinkPad X1")
          .put("browser", "Firefox")
          .put("os", "Windows")
          .put("os_version", "11");
      actor
          .putObject("location")
          .put("country", "ES")
          .put("region", "Madrid")
          .put("city", "Madrid")
          .put("latitude", 40.4168)
          .put("longitude", -3.7038);
      ev.putArray("targets")
          .addObject()
          .put("type", "document")
          .put("id", "doc-7781")
          .put("name", "claim.pdf");
      ev.put("session_id", "sess-1").put("request_id", "req-1").put("related_event_id", "evt-0");
      ev.put("reason", "example");
      ev.putArray("tags").add("example");
      ev.putArray("changes").addObject().put("path", "/x").put("before", 1).put("after", 2);
    } else {
      JsonNode req = schema.path("required");
      for (JsonNode r : req) {
        if (r.asText().equals("targets")) {
          ev.putArray("targets").addObject().put("type", "record").put("id", "r-1");
        } else if (r.asText().equals("changes")) {
          ev.putArray("changes").addObject().put("path", "/x").put("after", true);
        }
      }
    }
    JsonNode md = schema.at("/properties/metadata");
    Set<String> required = new HashSet<>();
    md.path("required").forEach(n -> required.add(n.asText()));
    if (full || !required.isEmpty()) {
      ObjectNode meta = ev.putObject("metadata");
      Map<String, JsonNode> props = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = md.path("properties").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        props.put(e.getKey(), e.getValue());
      }
      props.forEach(
          (name, ps) -> {
            if (full || required.contains(name)) {
              meta.set(name, valueFor(name, ps));
            }
          });
    }
    return ev;
  }

  static final Pattern SHA = Pattern.compile("\\^\\[0-9a-f\\]\\{64\\}\\$");

  static JsonNode valueFor(String name, JsonNode ps) {
    if (ps.has("const")) {
      return ps.get("const");
    }
    if (ps.has("enum")) {
      return ps.get("enum").get(ps.get("enum").size() - 1);
    }
    JsonNode t = ps.path("type");
    String type = t.isArray() ? t.get(0).asText() : t.asText();
    String pattern = ps.path("pattern").asText("");
    switch (type) {
      case "integer":
        return M.getNodeFactory()
            .numberNode(
                Math.max(3, ps.path("minimum").asInt(0))
                        > ps.path("maximum").asInt(Integer.MAX_VALUE)
                    ? ps.path("minimum").asInt()
                    : Math.max(3, ps.path("minimum").asInt(0)));
      case "number":
        return name.equals("amount") || name.equals("contract_value")
            ? M.getNodeFactory().textNode("129.90")
            : M.getNodeFactory().numberNode(42.5);
      case "boolean":
        return M.getNodeFactory().booleanNode(true);
      case "object":
        return M.createObjectNode().put("type", "LOGIN_FAILED").put("limit", 100);
      case "array":
        {
          ArrayNode a = M.createArrayNode();
          a.add(ps.at("/items/pattern").asText("").equals("^[A-Z]{2}$") ? "ES" : "item-1");
          return a;
        }
      default:
        break;
    }
    String format = ps.path("format").asText("");
    if (format.equals("date-time")) {
      return M.getNodeFactory().textNode("2024-05-01T10:00:00Z");
    }
    if (format.equals("date")) {
      return M.getNodeFactory().textNode("2024-06-30");
    }
    if (SHA.matcher(pattern).matches()) {
      return M.getNodeFactory()
          .textNode("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    }
    if (pattern.equals("^[A-Z]{3}$")) {
      return M.getNodeFactory().textNode("EUR");
    }
    if (pattern.startsWith("^[0-9a-f]{7")) {
      return M.getNodeFactory().textNode("3f2c9ab");
    }
    return M.getNodeFactory().textNode("value-of-" + name);
  }
}
