package dev.vellum.core.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanonicalJsonTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static String canon(String json) throws IOException {
    return CanonicalJson.canonicalString(MAPPER.readTree(json));
  }

  private static String canon(double d) {
    return CanonicalJson.canonicalString(DoubleNode.valueOf(d));
  }

  // ---- Known answers from RFC 8785 ------------------------------------------------------------

  /** RFC 8785 Appendix B, "Number Serialization Samples" (IEEE 754 bits → canonical text). */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "0000000000000000, 0",
    "8000000000000000, 0",
    "0000000000000001, 5e-324",
    "8000000000000001, -5e-324",
    "7fefffffffffffff, 1.7976931348623157e+308",
    "ffefffffffffffff, -1.7976931348623157e+308",
    "4340000000000000, 9007199254740992",
    "c340000000000000, -9007199254740992",
    "4430000000000000, 295147905179352830000",
    "44b52d02c7e14af5, 9.999999999999997e+22",
    "44b52d02c7e14af6, 1e+23",
    "44b52d02c7e14af7, 1.0000000000000001e+23",
    "444b1ae4d6e2ef4e, 999999999999999700000",
    "444b1ae4d6e2ef4f, 999999999999999900000",
    "444b1ae4d6e2ef50, 1e+21",
    "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
    "3eb0c6f7a0b5ed8d, 0.000001",
    "41b3de4355555553, 333333333.3333332",
    "41b3de4355555554, 333333333.33333325",
    "41b3de4355555555, 333333333.3333333",
    "41b3de4355555556, 333333333.3333334",
    "41b3de4355555557, 333333333.33333343",
    "becbf647612f3696, -0.0000033333333333333333",
    "43143ff3c1cb0959, 1424953923781206.2",
  })
  void numberSerializationMatchesRfc8785AppendixB(String bits, String expected) {
    assertEquals(expected, canon(Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16))));
  }

  /** RFC 8785 Appendix B lists NaN (7fffffffffffffff) and Infinity (7ff0000000000000) as errors. */
  @ParameterizedTest
  @CsvSource({"7fffffffffffffff", "7ff0000000000000", "fff0000000000000", "7ff8000000000000"})
  void nanAndInfinityAreRejected(String bits) {
    double d = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> canon(d));
    assertTrue(e.getMessage().contains("RFC 8785"), e.getMessage());
  }

  /** The example of RFC 8785 §3.2.2 ("Serialization of Primitive Data Types"). */
  @Test
  void primitivesExampleOfRfc8785Section3_2_2() throws IOException {
    String input =
        "{\n"
            + "  \"numbers\": [333333333.33333329, 1E30, 4.50,\n"
            + "              2e-3, 0.000000000000000000000000001],\n"
            + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
            + "  \"literals\": [null, true, false]\n"
            + "}";
    String expected =
        "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
            + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
    assertEquals(expected, canon(input));
  }

  /** RFC 8785 §3.2.2 also gives the UTF-8 bytes of that example's output. */
  @Test
  void primitivesExampleProducesTheUtf8BytesOfRfc8785() throws IOException {
    String input = "{\"string\":\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\"}";
    byte[] bytes = CanonicalJson.canonicalize(MAPPER.readTree(input));
    // {"string":"€$\u000f\nA'B\"\\\\\"/"}  — € is e2 82 ac in UTF-8
    assertEquals(
        "7b22737472696e67223a22e282ac245c753030306" + "65c6e4127425c225c5c5c5c5c222f227d",
        HexFormat.of().formatHex(bytes));
  }

  /** The example of RFC 8785 §3.2.3 ("Sorting of Object Properties"). */
  @Test
  void propertiesAreSortedByUtf16CodeUnitsAsInRfc8785Section3_2_3() throws IOException {
    String input =
        "{\n"
            + "  \"\\u20ac\": \"Euro Sign\",\n"
            + "  \"\\r\": \"Carriage Return\",\n"
            + "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
            + "  \"1\": \"One\",\n"
            + "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
            + "  \"\\u0080\": \"Control\",\n"
            + "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
            + "}";
    String expected =
        "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
            + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
            + "\"\ud83d\ude00\":\"Emoji: Grinning Face\","
            + "\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
    assertEquals(expected, canon(input));
  }

  /**
   * Cross-check against an ECMAScript engine: {@code json/es-number-tostring.txt} holds 7,292
   * doubles (IEEE 754 bits) and {@code String(d)} as printed by Node.js v20.20.2 (V8), produced by
   * {@code es-number-tostring.gen.js} next to it (random bit patterns, decimal-looking values,
   * powers of ten and of two around every formatting boundary).
   */
  @Test
  void numbersMatchNodeJsForSevenThousandSamples() throws IOException {
    int checked = 0;
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                Objects.requireNonNull(
                    getClass().getResourceAsStream("/json/es-number-tostring.txt")),
                StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] parts = line.split(" ");
        double d = Double.longBitsToDouble(Long.parseUnsignedLong(parts[0], 16));
        assertEquals(parts[1], canon(d), () -> "bits " + parts[0]);
        checked++;
      }
    }
    assertEquals(7292, checked);
  }

  // ---- Numbers ---------------------------------------------------------------------------------

  @Test
  void negativeZeroPrintsAsZero() {
    assertEquals("0", canon(-0.0));
  }

  @Test
  void integersUpToTwoPow53PrintExactly() {
    assertEquals(
        "9007199254740991", CanonicalJson.canonicalString(LongNode.valueOf((1L << 53) - 1)));
    assertEquals("-42", CanonicalJson.canonicalString(LongNode.valueOf(-42)));
    assertEquals("100", CanonicalJson.canonicalString(NODES.numberNode(100)));
  }

  @Test
  void integersBeyondTwoPow53AreRoundedToDoubleLikeEcmaScript() {
    // 2^60 + 1 is not a double; as in ECMAScript it prints as the shortest digits of 2^60.
    assertEquals(
        "1152921504606847000", CanonicalJson.canonicalString(LongNode.valueOf((1L << 60) + 1)));
    assertEquals(
        "9223372036854776000", CanonicalJson.canonicalString(LongNode.valueOf(Long.MAX_VALUE)));
  }

  @Test
  void bigIntegerIsConvertedToDoubleFirst() {
    BigInteger tenPow30 = BigInteger.TEN.pow(30);
    assertEquals("1e+30", CanonicalJson.canonicalString(BigIntegerNode.valueOf(tenPow30)));
  }

  @Test
  void bigIntegerBeyondDoubleRangeIsRejected() {
    BigIntegerNode huge = BigIntegerNode.valueOf(BigInteger.TEN.pow(400));
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalString(huge));
  }

  @Test
  void bigDecimalIsConvertedToDoubleFirst() {
    assertEquals("4.5", CanonicalJson.canonicalString(DecimalNode.valueOf(new BigDecimal("4.50"))));
    assertEquals(
        "333333333.3333333",
        CanonicalJson.canonicalString(DecimalNode.valueOf(new BigDecimal("333333333.33333329"))));
  }

  @Test
  void bigDecimalBeyondDoubleRangeIsRejected() {
    DecimalNode huge = DecimalNode.valueOf(new BigDecimal("1e400"));
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalString(huge));
  }

  @Test
  void floatNodeWidensExactlyToDouble() {
    // 0.1f is 0.100000001490116119384765625 exactly; ECMAScript prints that double as below.
    assertEquals("0.10000000149011612", CanonicalJson.canonicalString(FloatNode.valueOf(0.1f)));
  }

  @Test
  void parsingFloatsAsBigDecimalGivesTheSameOutput() throws IOException {
    ObjectMapper bigDecimals =
        new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    String json =
        "[333333333.33333329, 1E30, 4.50, 2e-3, 1e-27, 123456789012345678901234567890, -0.0]";
    assertEquals(canon(json), CanonicalJson.canonicalString(bigDecimals.readTree(json)));
  }

  @Test
  void exponentFormBoundariesFollowEcmaScript() {
    assertEquals("0.000001", canon(1e-6));
    assertEquals("1e-7", canon(1e-7));
    assertEquals("123456789012345680000", canon(123456789012345680000d));
    assertEquals("1.2345678901234568e+21", canon(1234567890123456800000d));
    assertEquals("1.5e-7", canon(1.5e-7));
    assertEquals("0.5", canon(0.5));
  }

  // ---- Strings ---------------------------------------------------------------------------------

  @Test
  void controlCharactersUseShortEscapesOrLowercaseUnicodeEscapes() {
    StringBuilder in = new StringBuilder();
    for (char c = 0; c < 0x20; c++) {
      in.append(c);
    }
    String expected =
        "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
            + "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018"
            + "\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"";
    assertEquals(expected, CanonicalJson.canonicalString(TextNode.valueOf(in.toString())));
  }

  @Test
  void quoteAndBackslashAreEscapedButSolidusAndDeleteAreNot() {
    assertEquals(
        "\"a\\\"b\\\\c/d\u007fe\"",
        CanonicalJson.canonicalString(TextNode.valueOf("a\"b\\c/d\u007fe")));
  }

  @Test
  void nonAsciiIsWrittenAsUtf8NotEscaped() {
    byte[] out = CanonicalJson.canonicalize(TextNode.valueOf("é€\ud83d\ude00"));
    assertArrayEquals(HexFormat.of().parseHex("22c3a9e282acf09f988022"), out);
  }

  @Test
  void unpairedHighSurrogateIsRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CanonicalJson.canonicalString(TextNode.valueOf("ab\ud83d")));
    assertTrue(e.getMessage().contains("U+D83D"), e.getMessage());
  }

  @Test
  void unpairedLowSurrogateInPropertyNameIsRejectedWithItsLocation() {
    ObjectNode o = NODES.objectNode();
    o.putObject("outer").put("x\ude00", 1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalString(o));
    assertTrue(e.getMessage().contains("/outer/x"), e.getMessage());
  }

  // ---- Structure -------------------------------------------------------------------------------

  @Test
  void emptyContainersAndLiterals() throws IOException {
    assertEquals(
        "[{},[],null,true,false,\"\"]", canon(" [ { } , [ ] , null , true , false , \"\" ] "));
  }

  @Test
  void nestedObjectsAreSortedAtEveryLevelAndArraysKeepTheirOrder() throws IOException {
    assertEquals(
        "{\"a\":[3,1,2],\"b\":{\"A\":{\"x\":1,\"y\":2},\"a\":0}}",
        canon("{\"b\":{\"a\":0,\"A\":{\"y\":2,\"x\":1}},\"a\":[3,1,2]}"));
  }

  @Test
  void sortingIsByUtf16CodeUnitsNotCodePoints() {
    // U+FB33 (one unit 0xFB33) sorts after U+1F600 (units 0xD83D 0xDE00) by code units,
    // though before it by code points.
    ObjectNode o = NODES.objectNode();
    o.put("\ufb33", 1);
    o.put("\ud83d\ude00", 2);
    assertEquals("{\"\ud83d\ude00\":2,\"\ufb33\":1}", CanonicalJson.canonicalString(o));
  }

  @Test
  void nonDataNodesAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> CanonicalJson.canonicalString(BinaryNode.valueOf(new byte[] {1})));
    assertThrows(
        IllegalArgumentException.class,
        () -> CanonicalJson.canonicalString(new POJONode(new Object())));
    assertThrows(
        IllegalArgumentException.class,
        () -> CanonicalJson.canonicalString(MissingNode.getInstance()));
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalString(null));
  }

  // ---- Properties over seeded random documents -------------------------------------------------

  @Test
  void canonicalOutputReparsedAndRecanonicalisedIsIdentical() throws IOException {
    Random random = new Random(8785);
    for (int i = 0; i < 500; i++) {
      JsonNode doc = randomValue(random, 0);
      String once = CanonicalJson.canonicalString(doc);
      String twice = canon(once);
      assertEquals(once, twice, () -> "document " + doc);
    }
  }

  @Test
  void keyOrderOfInputNeverMatters() {
    Random random = new Random(6962);
    for (int i = 0; i < 500; i++) {
      JsonNode doc = randomValue(random, 0);
      JsonNode shuffled = shuffledCopy(doc, random);
      assertArrayEquals(
          CanonicalJson.canonicalize(doc),
          CanonicalJson.canonicalize(shuffled),
          () -> doc.toString());
    }
  }

  @Test
  void whitespaceAndEscapingChoicesOfInputNeverMatter() throws IOException {
    Random random = new Random(7493);
    ObjectMapper pretty = new ObjectMapper();
    for (int i = 0; i < 300; i++) {
      JsonNode doc = randomValue(random, 0);
      String prettyText = pretty.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
      assertEquals(CanonicalJson.canonicalString(doc), canon(prettyText));
    }
  }

  @Test
  void canonicalOutputIsValidJsonThatParsesToTheSameData() throws IOException {
    Random random = new Random(42);
    for (int i = 0; i < 300; i++) {
      JsonNode doc = randomValue(random, 0);
      JsonNode reparsed = MAPPER.readTree(CanonicalJson.canonicalize(doc));
      assertEquals(normaliseNumbers(doc), normaliseNumbers(reparsed));
    }
  }

  private static JsonNode normaliseNumbers(JsonNode node) {
    if (node.isNumber()) {
      return DoubleNode.valueOf(node.doubleValue() == 0 ? 0.0 : node.doubleValue());
    }
    if (node.isArray()) {
      ArrayNode a = NODES.arrayNode();
      node.forEach(e -> a.add(normaliseNumbers(e)));
      return a;
    }
    if (node.isObject()) {
      ObjectNode o = NODES.objectNode();
      node.properties().forEach(e -> o.set(e.getKey(), normaliseNumbers(e.getValue())));
      return o;
    }
    return node;
  }

  private static JsonNode shuffledCopy(JsonNode node, Random random) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      Collections.shuffle(names, random);
      ObjectNode o = NODES.objectNode();
      for (String name : names) {
        o.set(name, shuffledCopy(node.get(name), random));
      }
      return o;
    }
    if (node.isArray()) {
      ArrayNode a = NODES.arrayNode();
      node.forEach(e -> a.add(shuffledCopy(e, random)));
      return a;
    }
    return node;
  }

  private static JsonNode randomValue(Random random, int depth) {
    int kind = random.nextInt(depth > 3 ? 6 : 8);
    switch (kind) {
      case 0:
        return NODES.nullNode();
      case 1:
        return NODES.booleanNode(random.nextBoolean());
      case 2:
        return NODES.numberNode(random.nextLong() >> random.nextInt(64));
      case 3:
        return NODES.numberNode(randomDouble(random));
      case 4:
      case 5:
        return NODES.textNode(randomString(random));
      case 6:
        {
          ArrayNode a = NODES.arrayNode();
          int n = random.nextInt(5);
          for (int i = 0; i < n; i++) {
            a.add(randomValue(random, depth + 1));
          }
          return a;
        }
      default:
        {
          ObjectNode o = NODES.objectNode();
          int n = random.nextInt(6);
          for (int i = 0; i < n; i++) {
            o.set(randomString(random), randomValue(random, depth + 1));
          }
          return o;
        }
    }
  }

  private static double randomDouble(Random random) {
    while (true) {
      double d =
          switch (random.nextInt(3)) {
            case 0 -> Double.longBitsToDouble(random.nextLong());
            case 1 -> random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
            default -> Math.round(random.nextDouble() * 1e6) / 100.0;
          };
      if (Double.isFinite(d)) {
        return d;
      }
    }
  }

  private static String randomString(Random random) {
    int n = random.nextInt(8);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(5)) {
        case 0 -> sb.append((char) random.nextInt(0x20)); // controls
        case 1 -> sb.append("\"\\/\u007f".charAt(random.nextInt(4)));
        case 2 -> sb.append((char) (0x20 + random.nextInt(0x5f))); // printable ASCII
        case 3 -> sb.appendCodePoint(0x80 + random.nextInt(0xD800 - 0x80)); // BMP below surrogates
        default -> sb.appendCodePoint(0x10000 + random.nextInt(0x10FFFF - 0x10000)); // pairs
      }
    }
    return sb.toString();
  }
}
