package dev.vellum.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.catalog.BuiltInCatalog;
import dev.vellum.core.event.FieldError;
import dev.vellum.core.json.StrictJson;
import dev.vellum.core.sample.SampleEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which type schemas are validated in two parts, and what that looks like from outside. */
class EventTypeCatalogSplitTest {
  private static final ObjectMapper JSON = StrictJson.mapper();
  private static final String BASE = "{'$ref': 'https://schemas.vellum.dev/event.json'}";
  private static final Instant AT = Instant.parse("2026-01-15T10:00:00Z");

  @Test
  void validatesEveryBuiltInTypeInTwoPartsAndKeepsItsSchemaAsWritten() {
    EventTypeCatalog catalog = TenantTypes.builtInsOnly();
    for (String type : BuiltInCatalog.typeNames()) {
      EventTypeCatalog.TypeDef def = catalog.find("t", type).orElseThrow();
      assertNotNull(def.base(), type);
      assertEquals(BuiltInCatalog.schema(type), def.schema(), type);
      assertEquals(json(BASE), def.schema().get("allOf").get(0));
    }
  }

  @Test
  void removesOnlyTheBaseReferenceFromAllOf() {
    JsonNode schema =
        json(
            "{'allOf': ["
                + BASE
                + ", {'required': ['metadata']}],"
                + " 'properties': {'type': {'const': 'X'}}}");
    JsonNode before = schema.deepCopy();
    assertEquals(
        json(
            "{'allOf': [{'required': ['metadata']}]," + " 'properties': {'type': {'const': 'X'}}}"),
        EventTypeCatalog.withoutBaseRef(schema));
    assertEquals(before, schema, "the schema itself is not changed");
  }

  @Test
  void dropsAllOfWhenOnlyTheBaseReferenceWasInIt() {
    assertEquals(
        json("{'title': 'X'}"),
        EventTypeCatalog.withoutBaseRef(json("{'title': 'X', 'allOf': [" + BASE + "]}")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{'properties': {}}",
        "{'allOf': [{'$ref': 'https://schemas.vellum.dev/event.json', 'title': 'x'}]}",
        "{'allOf': [{'$ref': 'https://schemas.vellum.dev/event.json#'}]}",
        "{'allOf': [{'allOf': [" + BASE + "]}]}",
        "{'anyOf': [" + BASE + "]}",
        "{'allOf': [" + BASE + "], 'unevaluatedProperties': false}",
        "{'allOf': [" + BASE + "], 'properties': {'tags': {'unevaluatedItems': false}}}",
        "{'allOf': [" + BASE + "], '$defs': {'a': {'$dynamicRef': '#a'}}}",
        "{'allOf': [" + BASE + "], 'then': {'$recursiveRef': '#'}}"
      })
  void validatesAsAWholeAnySchemaThatDoesNotFollowThePattern(String schema) {
    assertNull(EventTypeCatalog.withoutBaseRef(json(schema)));
  }

  @Test
  void aTenantTypeOutsideThePatternIsStillCheckedAgainstTheBase() {
    EventTypeCatalog catalog =
        TenantTypes.catalog(
            Map.of(
                "MY_TYPE",
                ("{'x-vellum-category':"
                        + " 'custom', 'allOf': ["
                        + BASE
                        + "], 'unevaluatedProperties': false}")
                    .replace('\'', '"')));
    EventTypeCatalog.TypeDef def = catalog.find("t", "MY_TYPE").orElseThrow();
    assertNull(def.base());
    ObjectNode event = loginEvent();
    event.put("type", "MY_TYPE");
    assertEquals(List.of(), EventTypeCatalog.validate(def, event));
    ((ObjectNode) event.get("actor")).remove("id");
    // a failing allOf element evaluates nothing, so every member is then unevaluated too: the
    // reason such a schema cannot be split
    List<String> pointers = pointers(EventTypeCatalog.validate(def, event));
    assertEquals("/actor/id", pointers.get(0));
    assertTrue(pointers.contains("/source"), pointers.toString());
  }

  @Test
  void aTenantTypeReferringToABuiltInTypeStillGetsTheBaseChecks() {
    EventTypeCatalog catalog =
        TenantTypes.catalog(
            Map.of(
                "MY_LOGIN",
                ("{'x-vellum-category':"
                        + " 'user_access', '$ref': 'https://schemas.vellum.dev/types/LOGIN_FAILED.json'}")
                    .replace('\'', '"')));
    var unused =
        catalog.find("t", "LOGIN_FAILED").orElseThrow(); // its reduced schema is compiled first
    EventTypeCatalog.TypeDef mine = catalog.find("t", "MY_LOGIN").orElseThrow();
    assertNull(mine.base());
    ObjectNode event = loginEvent();
    event.remove("actor");
    assertEquals(List.of("/actor"), pointers(EventTypeCatalog.validate(mine, event)));
  }

  @Test
  void aBuiltInTypeCompiledAfterATenantTypeReferringToItReportsEachErrorOnce() {
    EventTypeCatalog catalog =
        TenantTypes.catalog(
            Map.of(
                "MY_LOGIN",
                ("{'x-vellum-category':"
                        + " 'user_access', '$ref': 'https://schemas.vellum.dev/types/LOGIN_FAILED.json'}")
                    .replace('\'', '"')));
    var unused =
        catalog.find("t", "MY_LOGIN").orElseThrow(); // loads LOGIN_FAILED.json by its $id first
    EventTypeCatalog.TypeDef builtIn = catalog.find("t", "LOGIN_FAILED").orElseThrow();
    ObjectNode event = loginEvent();
    ((ObjectNode) event.get("actor")).remove("id");
    assertEquals(List.of("/actor/id"), pointers(EventTypeCatalog.validate(builtIn, event)));
  }

  @Test
  void reportsBaseErrorsBeforeTypeErrors() {
    EventTypeCatalog.TypeDef def =
        TenantTypes.builtInsOnly().find("t", "LOGIN_FAILED").orElseThrow();
    ObjectNode event = loginEvent();
    ((ObjectNode) event.get("metadata")).put("login_method", "TELEPATHY");
    ((ObjectNode) event.get("actor")).remove("id");
    event.put("colour", "blue");
    List<FieldError> errors = EventTypeCatalog.validate(def, event);
    assertEquals(List.of("/actor/id", "/colour", "/metadata/login_method"), pointers(errors));
    assertEquals("is required", errors.get(0).detail());
  }

  @Test
  void namesMembersOfNetworkntErrorsByEscapedPointers() {
    EventTypeCatalog catalog =
        TenantTypes.catalog(
            Map.of(
                "MY_TYPE",
                ("{'x-vellum-category':"
                        + " 'custom', 'allOf': ["
                        + BASE
                        + "], 'properties': {'metadata': {"
                        + " 'additionalProperties': false, 'required': ['a~b']}}}")
                    .replace('\'', '"')));
    EventTypeCatalog.TypeDef def = catalog.find("t", "MY_TYPE").orElseThrow();
    assertNotNull(def.base());
    ObjectNode event = loginEvent();
    event.put("type", "MY_TYPE");
    event.putObject("metadata").put("a/b", 1);
    assertEquals(
        Set.of("/metadata/a~1b", "/metadata/a~0b"),
        Set.copyOf(pointers(EventTypeCatalog.validate(def, event))));
  }

  @Test
  void sharesOneBaseValidatorAcrossTypes() {
    EventTypeCatalog catalog = TenantTypes.builtInsOnly();
    assertSame(
        catalog.find("t", "LOGIN_FAILED").orElseThrow().base(),
        catalog.find("t", "ORDER_PLACED").orElseThrow().base());
  }

  private static ObjectNode loginEvent() {
    return new SampleEvents(5).next("LOGIN_FAILED", AT, "DEMO_APP");
  }

  private static List<String> pointers(List<FieldError> errors) {
    return errors.stream().map(FieldError::pointer).toList();
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
