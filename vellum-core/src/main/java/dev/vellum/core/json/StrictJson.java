package dev.vellum.core.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one strict JSON configuration of Vellum, shared by the service and the auditor's tool (which
 * must not need the server on its classpath).
 */
public final class StrictJson {
  private StrictJson() {}

  /**
   * Strict parsing: a duplicated member name is an error (which of two values would an auditor
   * believe?), and so is anything after the top-level value.
   */
  public static ObjectMapper mapper() {
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
