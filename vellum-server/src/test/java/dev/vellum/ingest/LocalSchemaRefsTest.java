package dev.vellum.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.event.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalSchemaRefsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<FieldError> check(String schema) throws Exception {
    return LocalSchemaRefs.check(JSON.readTree(schema));
  }

  /** The input EventTypeSchemaFuzzTest found: a 500 on every event of the type before. */
  @Test
  void cycleThroughDefsIsReportedAtTheClosingReference() throws Exception {
    List<FieldError> errors =
        check(
            "{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},"
                + "\"b\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}");
    assertEquals(1, errors.size(), errors::toString);
    assertTrue(errors.get(0).pointer().endsWith("/$ref"), errors::toString);
  }

  @Test
  void rootReferencedFromItsOwnAllOfIsACycle() throws Exception {
    assertEquals("/allOf/0/$ref", check("{\"allOf\":[{\"$ref\":\"#\"}]}").get(0).pointer());
  }

  @Test
  void cycleThroughAnchorsIsACycle() throws Exception {
    assertEquals(
        1,
        check(
                "{\"$defs\":{\"a\":{\"$anchor\":\"x\",\"not\":{\"$ref\":\"#y\"}},"
                    + "\"b\":{\"$anchor\":\"y\",\"$ref\":\"#x\"}}}")
            .size());
  }

  @Test
  void percentEncodedPointerIsResolved() throws Exception {
    assertEquals(1, check("{\"$defs\":{\"a b\":{\"$ref\":\"#/$defs/a%20b\"}}}").size());
  }

  @Test
  void recursionThatDescendsIntoMembersIsAccepted() throws Exception {
    assertEquals(
        List.of(),
        check(
            "{\"$defs\":{\"n\":{\"properties\":{\"child\":"
                + "{\"$ref\":\"#/$defs/n\"}}}},\"$ref\":\"#/$defs/n\"}"));
  }

  @Test
  void sharedDefinitionReferencedTwiceIsNotACycle() throws Exception {
    assertEquals(
        List.of(),
        check(
            "{\"$defs\":{\"s\":{\"type\":\"string\"}},"
                + "\"anyOf\":[{\"$ref\":\"#/$defs/s\"},{\"$ref\":\"#/$defs/s\"}]}"));
  }

  @Test
  void chainOfMoreThanMaxInPlaceStepsIsRefusedOnce() {
    ObjectNode schema = JSON.createObjectNode();
    ObjectNode defs = schema.putObject("$defs");
    int n = LocalSchemaRefs.MAX_CHAIN + 5;
    for (int i = 0; i < n; i++) {
      defs.putObject("d" + i).put("$ref", "#/$defs/d" + (i + 1));
    }
    defs.putObject("d" + n).put("type", "object");
    assertEquals(1, LocalSchemaRefs.check(schema).size());
  }

  @Test
  void chainOfExactlyMaxInPlaceStepsIsAccepted() {
    ObjectNode schema = JSON.createObjectNode();
    ObjectNode defs = schema.putObject("$defs");
    int n = LocalSchemaRefs.MAX_CHAIN;
    for (int i = 0; i < n; i++) {
      defs.putObject("d" + i).put("$ref", "#/$defs/d" + (i + 1));
    }
    defs.putObject("d" + n).put("type", "object");
    assertEquals(List.of(), LocalSchemaRefs.check(schema));
  }

  /** The second input EventTypeSchemaFuzzTest found: stored, then a 500 on every event. */
  @Test
  void dynamicRefToAnUndeclaredAnchorIsReportedAtTheReference() throws Exception {
    List<FieldError> errors =
        check(
            "{\"properties\":{\"metadata\":{\"$dynamicRef\":"
                + "\"#meta\"}},\"$defs\":{\"m\":{\"$dymniacAnchor\":\"meta\"}}}");
    assertEquals(
        List.of("/properties/metadata/$dynamicRef"),
        errors.stream().map(FieldError::pointer).toList());
  }

  @Test
  void pointerToAMissingDefinitionIsReported() throws Exception {
    assertEquals("/$ref", check("{\"$ref\":\"#/$defs/nope\"}").get(0).pointer());
  }

  @Test
  void referencesToBooleanSchemasAnchorsAndTheRootResolve() throws Exception {
    assertEquals(
        List.of(),
        check(
            "{\"$defs\":{\"t\":true,\"a\":{\"$anchor\":\"x\"}},"
                + "\"properties\":{\"p\":{\"$ref\":\"#/$defs/t\"},\"q\":{\"$ref\":\"#x\"},"
                + "\"r\":{\"$ref\":\"#\"}}}"));
  }
}
