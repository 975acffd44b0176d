package dev.vellum.verify;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The verifier's JSON configuration. It mirrors the server's strict parsing on purpose rather than
 * sharing the server's class: the auditor's tool must not need the server on its classpath.
 */
final class StrictJson {
  private StrictJson() {}

  /**
   * A duplicated member name is an error (which of two values would an auditor believe?), and so is
   * anything after the top-level value.
   */
  static ObjectMapper mapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(2_000_000).build());
    return mapper;
  }
}
