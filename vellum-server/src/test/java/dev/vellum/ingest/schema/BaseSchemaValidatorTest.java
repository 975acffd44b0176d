package dev.vellum.ingest.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.core.event.FieldError;
import dev.vellum.core.json.StrictJson;
import dev.vellum.core.sample.SampleEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BaseSchemaValidatorTest {
  private static final ObjectMapper JSON = StrictJson.mapper();

  @Test
  void compilesTheShippedBaseSchemaAndAcceptsRealisticEvents() {
    BaseSchemaValidator base = BaseSchemaValidator.forShippedBaseSchema();
    SampleEvents samples = new SampleEvents(3);
    for (int i = 0; i < 200; i++) {
      JsonNode event = samples.next(Instant.parse("2026-01-15T10:00:00Z"), "DEMO_APP", 1024);
      assertEquals(List.of(), base.validate(event), event.toString());
    }
  }

  @Test
  void reportsAWrongTypeOnceAtTheValue() {
    BaseSchemaValidator v =
        compile(
            "{'properties': {'a': {'type': 'string', 'maxLength': 1,"
                + " 'enum': ['x'], 'format': 'uuid'}}}");
    assertEquals(List.of(new FieldError("/a", "must be a string")), v.validate(json("{'a': 5}")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "1|true",
        "1.0|true",
        "-0.0|true",
        "12345678901234567890|true",
        "1e2|true",
        "1.5|false",
        "1e400|false",
        "[1]|false"
      })
  void integersIncludeWholeNumbersWrittenWithAFraction(String value, boolean valid) {
    BaseSchemaValidator v = compile("{'properties': {'n': {'type': 'integer'}}}");
    assertEquals(valid, v.validate(json("{'n': " + value + "}")).isEmpty(), value);
  }

  @Test
  void numbersAreAnyJsonNumber() {
    BaseSchemaValidator v = compile("{'items': {'type': 'number'}}");
    assertEquals(List.of(), v.validate(json("[1, 1.5, -0.0, 1e400, 12345678901234567890]")));
    assertEquals(List.of(new FieldError("/0", "must be a number")), v.validate(json("['1']")));
  }

  @Test
  void requiredNamesTheMissingMemberAndCountsNullAsPresent() {
    BaseSchemaValidator v =
        compile(
            "{'type': 'object', 'required': ['a', 'b/c'],"
                + " 'properties': {'o': {'required': ['id']}}}");
    assertEquals(
        List.of(new FieldError("/b~1c", "is required"), new FieldError("/o/id", "is required")),
        v.validate(json("{'a': null, 'o': {}}")));
  }

  @Test
  void closedObjectsNameEachUnknownMemberByItsEscapedPointer() {
    BaseSchemaValidator v = compile("{'additionalProperties': false, 'properties': {'k': {}}}");
    List<FieldError> errors = v.validate(json("{'k': 1, 'a/b': 1, '~': 2}"));
    assertEquals(List.of("/a~1b", "/~0"), errors.stream().map(FieldError::pointer).toList());
    assertEquals(
        "is not a known member; unknown members are not allowed here", errors.get(0).detail());
  }

  @Test
  void openObjectsAcceptUnknownMembers() {
    BaseSchemaValidator v = compile("{'type': 'object', 'properties': {'k': {'type': 'string'}}}");
    assertEquals(List.of(), v.validate(json("{'k': 'x', 'other': [1]}")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "ab|true",
        "\uD83D\uDE00\uD83D\uDE00|true",
        "\uD83D\uDE00\uD83D\uDE00a|false",
        "\uD83D\uDE00|false",
        "\uD800\uD800|true",
        "a|false",
        "abc|false"
      })
  void lengthsCountCodePointsNotUtf16Units(String value, boolean valid) {
    BaseSchemaValidator v = compile("{'minLength': 2, 'maxLength': 2}");
    assertEquals(valid, v.validate(JSON.getNodeFactory().textNode(value)).isEmpty(), value);
  }

  @Test
  void lengthMessagesNameTheLimit() {
    BaseSchemaValidator v = compile("{'items': {'minLength': 1, 'maxLength': 256}}");
    assertEquals(
        List.of(
            new FieldError("/0", "must be at least 1 character"),
            new FieldError("/1", "must be at most 256 characters")),
        v.validate(json("['', '" + "x".repeat(257) + "']")));
  }

  @Test
  void patternsAreSearchedAndDollarMeansEndOfInput() {
    BaseSchemaValidator search = compile("{'pattern': 'b'}");
    assertEquals(List.of(), search.validate(JSON.getNodeFactory().textNode("abc")));
    BaseSchemaValidator anchored = compile("{'pattern': '^[A-Z][A-Z0-9_]*$'}");
    assertEquals(List.of(), anchored.validate(JSON.getNodeFactory().textNode("LOGIN_FAILED")));
    // java.util.regex's $ would also match before a final line break; ECMA 262's (and
    // networknt's) does not
    assertEquals(
        List.of(new FieldError("", "must match the pattern ^[A-Z][A-Z0-9_]*$")),
        anchored.validate(JSON.getNodeFactory().textNode("LOGIN_FAILED\n")));
  }

  @Test
  void enumAcceptsOnlyTheListedStrings() {
    BaseSchemaValidator v = compile("{'items': {'enum': ['info', 'error']}}");
    assertEquals(
        List.of("/1", "/2", "/3"),
        v.validate(json("['info', 'Info', 1, null]")).stream().map(FieldError::pointer).toList());
    assertEquals("must be one of info, error", v.validate(json("['x']")).get(0).detail());
  }

  @Test
  void formatsApplyOnlyToStrings() {
    BaseSchemaValidator v = compile("{'items': {'format': 'date-time'}}");
    assertEquals(
        List.of(new FieldError("/1", "must be an RFC 3339 date-time")),
        v.validate(json("[5, 'yesterday', '2026-01-15T10:00:00Z', null]")));
  }

  @Test
  void anyOfPassesWhenOneBranchPassesElseReportsOneErrorNamingEachBranch() {
    BaseSchemaValidator v =
        compile(
            "{'items': {'type': 'string',"
                + " 'anyOf': [{'format': 'ipv4'}, {'format': 'ipv6'}]}}");
    List<FieldError> errors =
        v.validate(
            json("['192.0.2.1', '2001:db8::1', '::ffff:1.2.3.4'," + " '1.2.3', 'fe80::1%eth0']"));
    assertEquals(List.of("/3", "/4"), errors.stream().map(FieldError::pointer).toList());
    assertEquals(
        "must be an IPv4 address in dotted-decimal form, or must be an IPv6 address"
            + " (RFC 4291, no zone id)",
        errors.get(0).detail());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "90|true",
        "90.0|true",
        "-90|true",
        "-90.0|true",
        "0|true",
        "-0.0|true",
        "89.99999999999999|true",
        "90.000000000000001|true",
        "90.00000000000001|false",
        "-90.00000000000001|false",
        "91|false",
        "1e400|false",
        "-1e400|false",
        "12345678901234567890|false",
        "-12345678901234567890|false"
      })
  void minimumAndMaximumAreInclusiveAndExact(String value, boolean valid) {
    BaseSchemaValidator v = compile("{'minimum': -90, 'maximum': 90}");
    assertEquals(valid, v.validate(json(value)).isEmpty(), value);
  }

  @Test
  void boundMessagesNameTheLimit() {
    BaseSchemaValidator v = compile("{'items': {'minimum': -180, 'maximum': 180.5}}");
    assertEquals(
        List.of(
            new FieldError("/0", "must be at least -180"),
            new FieldError("/1", "must be at most 180.5")),
        v.validate(json("[-181, 181]")));
  }

  @Test
  void maxItemsLimitsTheSize() {
    BaseSchemaValidator v = compile("{'maxItems': 2}");
    assertEquals(List.of(), v.validate(json("[1, 2]")));
    assertEquals(
        List.of(new FieldError("", "must have at most 2 items")), v.validate(json("[1, 2, 3]")));
  }

  @Test
  void uniqueItemsComparesItemsAsJacksonNodes() {
    BaseSchemaValidator v = compile("{'uniqueItems': true}");
    assertEquals(
        List.of(new FieldError("", "must not contain the same item twice")),
        v.validate(json("['a', 'b', 'a']")));
    assertEquals(1, v.validate(json("[{'a': [1]}, {'a': [1]}]")).size());
    // networknt 2.0.8 compares Jackson nodes, where 1 and 1.0 differ
    assertEquals(List.of(), v.validate(json("[1, 1.0]")));
  }

  @Test
  void itemsAreValidatedAtTheirIndex() {
    BaseSchemaValidator v = compile("{'properties': {'t': {'items': {'required': ['id']}}}}");
    assertEquals(
        List.of(new FieldError("/t/1/id", "is required")),
        v.validate(json("{'t': [{'id': 'a'}, {}]}")));
  }

  @Test
  void ignoresAnnotations() {
    BaseSchemaValidator v =
        compile(
            "{'$schema': 'https://json-schema.org/draft/2020-12/schema',"
                + " '$id': 'https://example.com/s', 'title': 't', 'description': 'd', 'x-anything': {"
                + " 'oneOf': []}, 'properties': {'a': {'description': 'any value'}}}");
    assertEquals(List.of(), v.validate(json("{'a': [null, {}]}")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{'oneOf': [{}]}",
        "{'$ref': '#'}",
        "{'const': 1}",
        "{'additionalProperties': true}",
        "{'additionalProperties': {'type': 'string'}}",
        "{'type': ['string', 'null']}",
        "{'type': 'boolean'}",
        "{'format': 'email'}",
        "{'enum': ['a', 1]}",
        "{'minItems': 1}",
        "{'$schema': 'http://json-schema.org/draft-07/schema#'}",
        "{'properties': {'a': true}}",
        "{'properties': {'a': {'items': {'exclusiveMaximum': 1}}}}",
        "{'anyOf': []}",
        "{'maxLength': -1}",
        "{'maxLength': 1.5}",
        "{'uniqueItems': 'yes'}",
        "{'$comment': 'x'}",
        "{'default': 1}"
      })
  void refusesKeywordsItDoesNotImplement(String schema) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> compile(schema));
    assertTrue(e.getMessage().startsWith("base schema: unsupported"), e.getMessage());
  }

  @Test
  void refusalNamesTheKeywordAndWhereItIs() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> compile("{'properties': {'actor': {'properties': {'ip': {'oneOf': []}}}}}"));
    assertTrue(
        e.getMessage().contains("keyword oneOf at /properties/actor/properties/ip/oneOf"),
        e.getMessage());
  }

  private static BaseSchemaValidator compile(String schema) {
    return BaseSchemaValidator.compile(json(schema));
  }

  /** JSON with ' for " (none of these texts needs a literal '). */
  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
