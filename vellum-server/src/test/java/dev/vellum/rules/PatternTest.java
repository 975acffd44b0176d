package dev.vellum.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table of pattern operators. The patterns and events are those of the Amazon EventBridge user
 * guide, "Content filtering in Amazon EventBridge event patterns" and "Comparison operators for use
 * in event patterns in Amazon EventBridge" (the examples with fields such as {@code state}, {@code
 * Region}, {@code FileName}, {@code c-count}, {@code source-ip}), plus Vellum's canonical events.
 */
class PatternTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Arguments> table() {
    return Stream.of(
        // exact values; an array in the pattern is OR; an array in the event matches any element
        row("exact string", "{\"Name\":[\"Alice\"]}", "{\"Name\":\"Alice\"}", true),
        row("exact is case-sensitive", "{\"Name\":[\"Alice\"]}", "{\"Name\":\"alice\"}", false),
        row(
            "values are ORed",
            "{\"state\":[\"running\",\"stopped\"]}",
            "{\"state\":\"stopped\"}",
            true),
        row(
            "fields are ANDed",
            "{\"Location\":[\"New York\"],\"Day\":[\"Monday\"]}",
            "{\"Location\":\"New York\",\"Day\":\"Tuesday\"}",
            false),
        row("empty string", "{\"LastName\":[\"\"]}", "{\"LastName\":\"\"}", true),
        row("null matches null", "{\"UserID\":[null]}", "{\"UserID\":null}", true),
        row("null does not match a missing field", "{\"UserID\":[null]}", "{}", false),
        row("number equals number", "{\"x-limit\":[123]}", "{\"x-limit\":123.0}", true),
        row("string does not equal number", "{\"x-limit\":[\"123\"]}", "{\"x-limit\":123}", false),
        row("boolean", "{\"encrypted\":[true]}", "{\"encrypted\":true}", true),
        row(
            "event array: any element",
            "{\"resources\":[\"arn:b\"]}",
            "{\"resources\":[\"arn:a\",\"arn:b\"]}",
            true),
        row(
            "event array: no element",
            "{\"resources\":[\"arn:c\"]}",
            "{\"resources\":[\"arn:a\",\"arn:b\"]}",
            false),
        row("missing field", "{\"state\":[\"running\"]}", "{\"other\":1}", false),
        // nested objects; arrays of objects match if one element matches the whole sub-pattern
        row(
            "nested",
            "{\"detail\":{\"state\":[\"terminated\"]}}",
            "{\"detail\":{\"state\":\"terminated\"}}",
            true),
        row(
            "nested missing",
            "{\"detail\":{\"state\":[\"terminated\"]}}",
            "{\"detail\":\"x\"}",
            false),
        row(
            "array of objects, one element matches",
            "{\"targets\":{\"type\":[\"document\"],\"id\":[\"d1\"]}}",
            "{\"targets\":[{\"type\":\"user\",\"id\":\"d1\"},{\"type\":\"document\",\"id\":\"d1\"}]}",
            true),
        row(
            "array of objects, fields from different elements",
            "{\"targets\":{\"type\":[\"document\"],\"id\":[\"u1\"]}}",
            "{\"targets\":[{\"type\":\"user\",\"id\":\"u1\"},{\"type\":\"document\",\"id\":\"d1\"}]}",
            false),
        // prefix, suffix, equals-ignore-case
        row(
            "prefix",
            "{\"time\":[{\"prefix\":\"2017-10-02\"}]}",
            "{\"time\":\"2017-10-02T18:43:48Z\"}",
            true),
        row(
            "prefix no",
            "{\"Region\":[{\"prefix\":\"us-\"}]}",
            "{\"Region\":\"eu-west-1\"}",
            false),
        row(
            "prefix ignore case",
            "{\"service\":[{\"prefix\":{\"equals-ignore-case\":\"EventB\"}}]}",
            "{\"service\":\"eventbridge\"}",
            true),
        row(
            "suffix",
            "{\"FileName\":[{\"suffix\":\".png\"}]}",
            "{\"FileName\":\"image.png\"}",
            true),
        row(
            "suffix is case-sensitive",
            "{\"FileName\":[{\"suffix\":\".png\"}]}",
            "{\"FileName\":\"image.PNG\"}",
            false),
        row(
            "suffix ignore case",
            "{\"FileName\":[{\"suffix\":{\"equals-ignore-case\":\".png\"}}]}",
            "{\"FileName\":\"image.PNG\"}",
            true),
        row("prefix on a number", "{\"n\":[{\"prefix\":\"1\"}]}", "{\"n\":12}", false),
        row(
            "equals-ignore-case",
            "{\"Name\":[{\"equals-ignore-case\":\"alice\"}]}",
            "{\"Name\":\"ALICE\"}",
            true),
        // anything-but
        row(
            "anything-but string",
            "{\"state\":[{\"anything-but\":\"initializing\"}]}",
            "{\"state\":\"running\"}",
            true),
        row(
            "anything-but string, same",
            "{\"state\":[{\"anything-but\":\"initializing\"}]}",
            "{\"state\":\"initializing\"}",
            false),
        row(
            "anything-but needs the field",
            "{\"state\":[{\"anything-but\":\"initializing\"}]}",
            "{}",
            false),
        row(
            "anything-but number",
            "{\"x-limit\":[{\"anything-but\":123}]}",
            "{\"x-limit\":456}",
            true),
        row(
            "anything-but list",
            "{\"state\":[{\"anything-but\":[\"stopped\",\"overloaded\"]}]}",
            "{\"state\":\"overloaded\"}",
            false),
        row(
            "anything-but list, other",
            "{\"x-limit\":[{\"anything-but\":[100,200,300]}]}",
            "{\"x-limit\":150}",
            true),
        row(
            "anything-but prefix",
            "{\"state\":[{\"anything-but\":{\"prefix\":\"init\"}}]}",
            "{\"state\":\"initializing\"}",
            false),
        row(
            "anything-but prefix, other",
            "{\"Region\":[{\"anything-but\":{\"prefix\":\"us-\"}}]}",
            "{\"Region\":\"eu-west-1\"}",
            true),
        row(
            "anything-but suffix",
            "{\"FileName\":[{\"anything-but\":{\"suffix\":\".png\"}}]}",
            "{\"FileName\":\"a.txt\"}",
            true),
        row(
            "anything-but ignore case",
            "{\"state\":[{\"anything-but\":{\"equals-ignore-case\":\"initializing\"}}]}",
            "{\"state\":\"INITIALIZING\"}",
            false),
        row(
            "anything-but ignore case list",
            "{\"state\":[{\"anything-but\":{\"equals-ignore-case\":[\"a\",\"b\"]}}]}",
            "{\"state\":\"C\"}",
            true),
        row(
            "anything-but wildcard",
            "{\"FilePath\":[{\"anything-but\":{\"wildcard\":\"*/lib/*\"}}]}",
            "{\"FilePath\":\"/usr/lib/x.so\"}",
            false),
        row(
            "anything-but wildcard, other",
            "{\"FilePath\":[{\"anything-but\":{\"wildcard\":\"*/lib/*\"}}]}",
            "{\"FilePath\":\"/usr/bin/x\"}",
            true),
        // numeric
        row(
            "numeric range",
            "{\"c-count\":[{\"numeric\":[\">\",0,\"<=\",5]}]}",
            "{\"c-count\":5}",
            true),
        row(
            "numeric range, lower edge",
            "{\"c-count\":[{\"numeric\":[\">\",0,\"<=\",5]}]}",
            "{\"c-count\":0}",
            false),
        row(
            "numeric below",
            "{\"d-count\":[{\"numeric\":[\"<\",10]}]}",
            "{\"d-count\":9.99}",
            true),
        row(
            "numeric equals",
            "{\"x-limit\":[{\"numeric\":[\"=\",301.8]}]}",
            "{\"x-limit\":301.8}",
            true),
        row(
            "numeric on a string",
            "{\"amount\":[{\"numeric\":[\">\",1]}]}",
            "{\"amount\":\"100\"}",
            false),
        row(
            "numeric on an array",
            "{\"scores\":[{\"numeric\":[\">=\",90]}]}",
            "{\"scores\":[10,95]}",
            true),
        // exists
        row(
            "exists true",
            "{\"detail\":{\"state\":[{\"exists\":true}]}}",
            "{\"detail\":{\"state\":\"x\"}}",
            true),
        row(
            "exists true, missing",
            "{\"detail\":{\"state\":[{\"exists\":true}]}}",
            "{\"detail\":{}}",
            false),
        row(
            "exists false, missing",
            "{\"detail\":{\"state\":[{\"exists\":false}]}}",
            "{\"detail\":{}}",
            true),
        row(
            "exists false, present",
            "{\"detail\":{\"state\":[{\"exists\":false}]}}",
            "{\"detail\":{\"state\":1}}",
            false),
        row(
            "exists false, parent missing",
            "{\"detail\":{\"state\":[{\"exists\":false}]}}",
            "{}",
            true),
        row(
            "exists true on an object is not a leaf",
            "{\"detail\":[{\"exists\":true}]}",
            "{\"detail\":{\"a\":1}}",
            false),
        // wildcard
        row(
            "wildcard",
            "{\"EventBusArn\":[{\"wildcard\":\"arn:aws:events:us-east-1:*:event-bus/*\"}]}",
            "{\"EventBusArn\":\"arn:aws:events:us-east-1:123456789012:event-bus/default\"}",
            true),
        row(
            "wildcard no",
            "{\"EventBusArn\":[{\"wildcard\":\"arn:aws:events:us-east-1:*:event-bus/*\"}]}",
            "{\"EventBusArn\":\"arn:aws:events:eu-west-1:1:event-bus/default\"}",
            false),
        row(
            "wildcard escaped star",
            "{\"f\":[{\"wildcard\":\"a\\\\*b\"}]}",
            "{\"f\":\"a*b\"}",
            true),
        row(
            "wildcard escaped star is literal",
            "{\"f\":[{\"wildcard\":\"a\\\\*b\"}]}",
            "{\"f\":\"axxb\"}",
            false),
        row(
            "wildcard middle",
            "{\"f\":[{\"wildcard\":\"*/lib/*.so\"}]}",
            "{\"f\":\"/usr/lib/x.so\"}",
            true),
        row(
            "wildcard overlapping ends",
            "{\"f\":[{\"wildcard\":\"ab*ba\"}]}",
            "{\"f\":\"aba\"}",
            false),
        // cidr
        row(
            "cidr v4",
            "{\"source-ip\":[{\"cidr\":\"10.0.0.0/24\"}]}",
            "{\"source-ip\":\"10.0.0.255\"}",
            true),
        row(
            "cidr v4 outside",
            "{\"source-ip\":[{\"cidr\":\"10.0.0.0/24\"}]}",
            "{\"source-ip\":\"10.0.1.1\"}",
            false),
        row(
            "cidr v6",
            "{\"ip\":[{\"cidr\":\"2001:db8::/32\"}]}",
            "{\"ip\":\"2001:db8:1::5\"}",
            true),
        row(
            "cidr not an ip",
            "{\"ip\":[{\"cidr\":\"10.0.0.0/8\"}]}",
            "{\"ip\":\"localhost\"}",
            false),
        // $or
        row(
            "$or one branch",
            "{\"detail\":{\"$or\":[{\"c-count\":[{\"numeric\":[\">\",0]}]},{\"d-count\":[{\"numeric\":[\"<\",10]}]}]}}",
            "{\"detail\":{\"c-count\":-1,\"d-count\":3}}",
            true),
        row("$or no branch", "{\"$or\":[{\"a\":[1]},{\"b\":[2]}]}", "{\"a\":2,\"b\":1}", false),
        row(
            "$or with fields",
            "{\"source\":[\"APP\"],\"$or\":[{\"a\":[1]},{\"b\":[2]}]}",
            "{\"source\":\"X\",\"a\":1}",
            false),
        // canonical Vellum events
        row(
            "canonical: type and actor",
            "{\"type\":[\"LOGIN_FAILED\"],\"actor\":{\"id\":[{\"prefix\":\"adm\"}]}}",
            "{\"type\":\"LOGIN_FAILED\",\"actor\":{\"id\":\"admin-7\"},\"seq\":3}",
            true),
        row(
            "canonical: seq is a number",
            "{\"seq\":[{\"numeric\":[\">=\",100]}]}",
            "{\"seq\":99}",
            false));
  }

  private static Arguments row(String what, String pattern, String event, boolean expected) {
    return Arguments.of(what, pattern, event, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void matchesAsEventBridgeDocuments(String what, String pattern, String event, boolean expected)
      throws Exception {
    Pattern p = Pattern.compile(JSON.readTree(pattern), "/pattern");
    assertEquals(expected, p.matches(JSON.readTree(event)), what);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("{\"a\":\"x\"}", "/pattern/a"),
        Arguments.of("{\"a\":[]}", "/pattern/a"),
        Arguments.of("{\"a\":[{\"nope\":1}]}", "/pattern/a/0/nope"),
        Arguments.of("{\"a\":[{\"prefix\":1}]}", "/pattern/a/0/prefix"),
        Arguments.of("{\"a\":[{\"numeric\":[\">\",\"x\"]}]}", "/pattern/a/0/numeric/1"),
        Arguments.of("{\"a\":[{\"numeric\":[\"<\",5,\">\",1]}]}", "/pattern/a/0/numeric/2"),
        Arguments.of("{\"a\":[{\"numeric\":[\">\",5,\"<\",1]}]}", "/pattern/a/0/numeric"),
        Arguments.of("{\"a\":[{\"exists\":\"yes\"}]}", "/pattern/a/0/exists"),
        Arguments.of("{\"a\":[{\"wildcard\":\"a**b\"}]}", "/pattern/a/0/wildcard"),
        Arguments.of("{\"a\":[{\"cidr\":\"10.0.0.0/33\"}]}", "/pattern/a/0/cidr"),
        Arguments.of("{\"a\":[{\"cidr\":\"example.com/8\"}]}", "/pattern/a/0/cidr"),
        Arguments.of("{\"$or\":[{\"a\":[1]}]}", "/pattern/$or"),
        Arguments.of(
            "{\"a\":[{\"anything-but\":{\"numeric\":[\">\",1]}}]}",
            "/pattern/a/0/anything-but/numeric"),
        Arguments.of("{\"a\":[{\"prefix\":\"x\",\"suffix\":\"y\"}]}", "/pattern/a/0"),
        Arguments.of("{\"a/b\":[[1]]}", "/pattern/a~1b/0"),
        Arguments.of(
            "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":[1]}}}}}}}}}",
            "/pattern/a/b/c/d/e/f/g/h"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsInvalidPatternNamingThePointer(String pattern, String pointer) throws Exception {
    JsonNode p = JSON.readTree(pattern);
    RuleProblem e = assertThrows(RuleProblem.class, () -> Pattern.compile(p, "/pattern"));
    assertEquals(pointer, e.errors().get(0).pointer(), e.errors().toString());
  }

  @org.junit.jupiter.api.Test
  void rejectsPatternWithTooManyValues() throws Exception {
    StringBuilder sb = new StringBuilder("{\"a\":[");
    for (int i = 0; i <= Pattern.MAX_CONDITIONS; i++) {
      sb.append(i > 0 ? "," : "").append(i);
    }
    JsonNode p = JSON.readTree(sb.append("]}").toString());
    RuleProblem e = assertThrows(RuleProblem.class, () -> Pattern.compile(p, "/pattern"));
    assertEquals("/pattern/a/" + Pattern.MAX_CONDITIONS, e.errors().get(0).pointer());
  }

  @org.junit.jupiter.api.Test
  void indexesByTypeOnlyWhenTypeIsExactStrings() throws Exception {
    assertEquals(
        java.util.Set.of("A", "B"),
        Pattern.compile(JSON.readTree("{\"type\":[\"A\",\"B\"]}"), "").types());
    assertEquals(
        null, Pattern.compile(JSON.readTree("{\"type\":[{\"prefix\":\"A\"}]}"), "").types());
    assertEquals(null, Pattern.compile(JSON.readTree("{\"source\":[\"A\"]}"), "").types());
  }
}
