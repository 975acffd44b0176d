package dev.vellum.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.core.merkle.TilePath;
import dev.vellum.testing.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks of the OpenAPI document served at {@code /openapi.json} and of the Swagger UI page served
 * at {@code /docs}, against the routes of a running node's router.
 */
class OpenApiDocumentTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> METHODS =
      List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final Set<String> SCOPES =
      Set.of("events:write", "events:read", "log:read", "analytics:read", "admin");

  /**
   * Every endpoint of a running node's router, read when the test starts: a route added without
   * documentation, or documentation of a route that does not exist, fails the build. Javalin's
   * wildcard route GET /v1/log/tile/* is described as /v1/log/tile/{path}.
   */
  private static final List<String[]> ROUTES = new ArrayList<>();

  /** The scope each /v1 operation checks with RequestContext.principal(ctx, Scope.X). */
  private static final Map<String, String> SCOPE_OF =
      Map.ofEntries(
          Map.entry("post /v1/events", "events:write"),
          Map.entry("get /v1/events", "events:read"),
          Map.entry("get /v1/events/stats", "events:read"),
          Map.entry("get /v1/events/export", "events:read"),
          Map.entry("get /v1/events/stream", "events:read"),
          Map.entry("get /v1/events/{id}", "events:read"),
          Map.entry("post /v1/audit/store", "events:write"),
          Map.entry("post /v1/audit/store-batch", "events:write"),
          Map.entry("get /v1/sources", "log:read"),
          Map.entry("put /v1/sources/{code}", "admin"),
          Map.entry("get /v1/event-types", "log:read"),
          Map.entry("get /v1/event-types/{type}", "log:read"),
          Map.entry("put /v1/event-types/{type}", "admin"),
          Map.entry("get /v1/keys", "admin"),
          Map.entry("post /v1/keys", "admin"),
          Map.entry("delete /v1/keys/{id}", "admin"),
          Map.entry("post /v1/tenants", "admin"),
          Map.entry("put /v1/keys/{id}/usage-plan", "admin"),
          Map.entry("get /v1/admin/consumers", "admin"),
          Map.entry("get /v1/admin/consumers/{name}/dead-letters", "admin"),
          Map.entry("get /v1/log/key", "log:read"),
          Map.entry("get /v1/log/checkpoint", "log:read"),
          Map.entry("get /v1/log/checkpoints", "log:read"),
          Map.entry("get /v1/log/proof", "log:read"),
          Map.entry("get /v1/events/{id}/proof", "log:read"),
          Map.entry("get /v1/log/consistency", "log:read"),
          Map.entry("get /v1/log/tile/{path}", "log:read"),
          Map.entry("post /v1/analytics/query", "analytics:read"),
          Map.entry("post /v1/analytics/queries", "analytics:read"),
          Map.entry("get /v1/analytics/queries", "analytics:read"),
          Map.entry("get /v1/analytics/queries/{id}", "analytics:read"),
          Map.entry("delete /v1/analytics/queries/{id}", "analytics:read"),
          Map.entry("post /v1/analytics/queries/{id}/run", "analytics:read"));

  /** Paths the document must describe. */
  private static final List<String> REQUIRED_PATHS =
      List.of(
          "/v1/events",
          "/v1/events/{id}",
          "/v1/events/stats",
          "/v1/audit/store",
          "/v1/audit/store-batch",
          "/v1/sources",
          "/v1/sources/{code}",
          "/v1/event-types",
          "/v1/event-types/{type}",
          "/v1/keys",
          "/v1/keys/{id}",
          "/v1/tenants",
          "/v1/events/{id}/proof",
          "/v1/log/key",
          "/v1/log/checkpoint",
          "/v1/log/checkpoints",
          "/v1/log/proof",
          "/v1/log/consistency",
          "/v1/log/tile/{path}",
          "/health/live",
          "/health/ready",
          "/metrics",
          "/openapi.json",
          "/docs");

  /** Query parameters accepted by GET /v1/events (FilterParser.KNOWN). */
  private static final List<String> SEARCH_PARAMETERS =
      List.of(
          "from",
          "to",
          "type",
          "category",
          "source",
          "actor_id",
          "actor_ip",
          "target_type",
          "target_id",
          "outcome",
          "severity",
          "session_id",
          "tag",
          "q",
          "order",
          "limit",
          "cursor");

  /** Error responses whose body is deliberately not a problem document. */
  private static final Set<String> NON_PROBLEM_ERRORS =
      Set.of(
          "post /v1/events 422", // every event rejected: an IngestResponse with per-event errors
          "get /health/ready 503"); // readiness: {"status":"not ready"}

  private static final List<String> SCHEMAS =
      List.of(
          "Event",
          "EventInput",
          "StoredEvent",
          "IngestResponse",
          "IngestResult",
          "Problem",
          "FieldError",
          "EventPage",
          "Stats",
          "Source",
          "EventType",
          "ApiKey",
          "ApiKeyCreated",
          "Tenant",
          "ReferencePayload",
          "ReferenceBatchRequest",
          "ReferenceBatchResponse",
          "InclusionProof",
          "ConsistencyProof",
          "CheckpointList",
          "SignedCheckpoint");

  /**
   * Per transparency-log operation (LogRoutes): the media type of its 200 response, the schema of a
   * JSON 200, the query parameters it reads (ctx.queryParam), the required ones among them, and the
   * statuses it can answer besides 200, 401, 403 and 429.
   */
  private static final List<LogOperation> LOG_OPERATIONS =
      List.of(
          new LogOperation("/v1/log/key", "text/plain", null, List.of(), List.of(), List.of()),
          new LogOperation(
              "/v1/log/checkpoint", "text/plain", null, List.of(), List.of(), List.of("404")),
          new LogOperation(
              "/v1/log/checkpoints",
              "application/json",
              "CheckpointList",
              List.of("since_size"),
              List.of(),
              List.of("400")),
          new LogOperation(
              "/v1/log/proof",
              "application/json",
              "InclusionProof",
              List.of("leaf_index", "tree_size"),
              List.of("leaf_index"),
              List.of("400")),
          new LogOperation(
              "/v1/events/{id}/proof",
              "application/json",
              "InclusionProof",
              List.of("tree_size"),
              List.of(),
              List.of("400", "404")),
          new LogOperation(
              "/v1/log/consistency",
              "application/json",
              "ConsistencyProof",
              List.of("from", "to"),
              List.of("from"),
              List.of("400")),
          new LogOperation(
              "/v1/log/tile/{path}",
              "application/octet-stream",
              null,
              List.of(),
              List.of(),
              List.of("404")));

  private record LogOperation(
      String path,
      String mediaType,
      String schema,
      List<String> queryParameters,
      List<String> required,
      List<String> statuses) {}

  private static final String SWAGGER_UI = "/webjars/swagger-ui/5.34.1/";

  private static JsonNode doc;

  private static String[] route(String method, String path) {
    if (!METHODS.contains(method)) {
      fail("unexpected method " + method);
    }
    return new String[] {method, path};
  }

  @BeforeAll
  static void load(@TempDir Path dataDir) throws IOException {
    doc = JSON.readTree(resource("/web/openapi.json"));
    try (TestNode node = TestNode.start(dataDir)) {
      for (String route : node.routes()) {
        String[] parts = route.split(" ", 2);
        ROUTES.add(route(parts[0], parts[1].replace("/*", "/{path}")));
      }
    }
    assertTrue(ROUTES.size() > 20, "the router lists its routes: " + ROUTES.size());
  }

  private static byte[] resource(String path) throws IOException {
    try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream(path)) {
      assertNotNull(in, "missing classpath resource " + path);
      return in.readAllBytes();
    }
  }

  @Test
  void isOpenApi31WithBearerSecurity() {
    assertEquals("3.1.0", doc.path("openapi").asText());
    assertFalse(doc.path("info").path("title").asText().isEmpty());
    assertFalse(doc.path("info").path("version").asText().isEmpty());
    JsonNode bearer = doc.path("components").path("securitySchemes").path("bearerAuth");
    assertEquals("http", bearer.path("type").asText());
    assertEquals("bearer", bearer.path("scheme").asText());
  }

  @Test
  void everyRequiredPathIsPresent() {
    for (String p : REQUIRED_PATHS) {
      assertTrue(doc.path("paths").has(p), "path missing from openapi.json: " + p);
    }
  }

  @Test
  void everyRegisteredRouteIsDescribedAndNothingElse() {
    Set<String> expected = new TreeSet<>();
    for (String[] r : ROUTES) {
      expected.add(r[0] + " " + r[1]);
      assertTrue(
          doc.path("paths").path(r[1]).has(r[0]),
          "route not described in openapi.json: " + r[0].toUpperCase() + " " + r[1]);
    }
    Set<String> described = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> path = it.next();
      for (String m : METHODS) {
        if (path.getValue().has(m)) {
          described.add(m + " " + path.getKey());
        }
      }
    }
    assertEquals(expected, described, "operations in openapi.json vs routes in the route classes");
  }

  @Test
  void everyOperationHasResponsesAndAnOperationId() {
    Set<String> ids = new LinkedHashSet<>();
    forEachOperation(
        (key, op) -> {
          JsonNode responses = op.path("responses");
          assertTrue(responses.isObject() && responses.size() > 0, key + " has no responses");
          for (Iterator<String> codes = responses.fieldNames(); codes.hasNext(); ) {
            String code = codes.next();
            assertTrue(code.matches("[1-5][0-9][0-9]|default"), key + ": bad status " + code);
          }
          String id = op.path("operationId").asText();
          assertFalse(id.isEmpty(), key + " has no operationId");
          assertTrue(ids.add(id), "duplicate operationId " + id);
        });
  }

  @Test
  void v1OperationsNeedTheBearerKeyWithTheirScope() {
    forEachOperation(
        (key, op) -> {
          String path = key.substring(key.indexOf(' ') + 1);
          JsonNode security = op.has("security") ? op.get("security") : doc.path("security");
          if (!path.startsWith("/v1/")) {
            assertTrue(security.isArray() && security.isEmpty(), key + " must need no auth");
            return;
          }
          assertEquals(1, security.size(), key + ": one security requirement");
          JsonNode scopes = security.get(0).path("bearerAuth");
          assertTrue(scopes.isArray() && scopes.size() > 0, key + ": bearerAuth with a scope");
          scopes.forEach(s -> assertTrue(SCOPES.contains(s.asText()), key + ": scope " + s));
          if (SCOPE_OF.containsKey(key)) {
            assertEquals(SCOPE_OF.get(key), scopes.get(0).asText(), key + ": scope");
          }
          assertTrue(op.path("responses").has("401"), key + " must document 401");
          assertTrue(op.path("responses").has("403"), key + " must document 403");
          assertTrue(op.path("responses").has("429"), key + " must document 429");
        });
  }

  @Test
  void errorResponsesAreProblemJson() {
    forEachOperation(
        (key, op) -> {
          for (Iterator<Map.Entry<String, JsonNode>> it = op.path("responses").fields();
              it.hasNext(); ) {
            Map.Entry<String, JsonNode> r = it.next();
            if (r.getKey().compareTo("400") < 0
                || NON_PROBLEM_ERRORS.contains(key + " " + r.getKey())) {
              continue;
            }
            JsonNode response = deref(r.getValue());
            JsonNode schema =
                response.path("content").path("application/problem+json").path("schema");
            assertEquals(
                "#/components/schemas/Problem",
                schema.path("$ref").asText(),
                key + " " + r.getKey() + " must be application/problem+json Problem");
          }
        });
  }

  @Test
  void searchDocumentsEveryQueryParameter() {
    Set<String> names = new TreeSet<>();
    for (JsonNode p : doc.path("paths").path("/v1/events").path("get").path("parameters")) {
      JsonNode param = deref(p);
      assertEquals("query", param.path("in").asText());
      names.add(param.path("name").asText());
    }
    assertEquals(new TreeSet<>(SEARCH_PARAMETERS), names);
  }

  @Test
  void logOperationsDescribeTheirMediaTypesParametersAndStatuses() {
    for (LogOperation l : LOG_OPERATIONS) {
      String key = "get " + l.path();
      JsonNode op = doc.path("paths").path(l.path()).path("get");
      JsonNode ok = deref(op.path("responses").path("200")).path("content");
      assertEquals(List.of(l.mediaType()), fieldNames(ok), key + ": 200 media types");
      if (l.schema() != null) {
        assertEquals(
            "#/components/schemas/" + l.schema(),
            ok.path(l.mediaType()).path("schema").path("$ref").asText(),
            key + ": 200 schema");
      }
      Set<String> query = new TreeSet<>();
      Set<String> required = new TreeSet<>();
      for (JsonNode p : op.path("parameters")) {
        JsonNode param = deref(p);
        if (param.path("in").asText().equals("query")) {
          query.add(param.path("name").asText());
          if (param.path("required").asBoolean()) {
            required.add(param.path("name").asText());
          }
        }
      }
      assertEquals(new TreeSet<>(l.queryParameters()), query, key + ": query parameters");
      assertEquals(new TreeSet<>(l.required()), required, key + ": required parameters");
      Set<String> statuses = new TreeSet<>(l.statuses());
      statuses.addAll(List.of("200", "401", "403", "429"));
      Set<String> documented = new TreeSet<>(fieldNames(op.path("responses")));
      documented.removeAll(List.of("500", "503")); // possible everywhere: store, internal
      assertEquals(statuses, documented, key + ": statuses");
      assertTrue(
          op.path("description").asText().contains("`events:read` implies it"),
          key + ": events:read implies log:read");
    }
  }

  @Test
  void tilePathFollowsTlogTiles() {
    JsonNode op = doc.path("paths").path("/v1/log/tile/{path}").path("get");
    assertTrue(op.path("description").asText().contains("tile/<L>/<N>[.p/<W>]"));
    JsonNode param = deref(op.path("parameters").get(0));
    assertEquals("path", param.path("in").asText());
    assertEquals("path", param.path("name").asText());
    Pattern pattern = Pattern.compile(param.path("schema").path("pattern").asText());
    for (String ok :
        List.of("0/000", "0/x001/234.p/7", "0/x001/x234/067.p/8", "63/x010/000", "1/000.p/255")) {
      assertTrue(pattern.matcher(ok).find(), "tile path must match: " + ok);
      assertEquals(ok, TilePath.parse("tile/" + ok).toString().substring("tile/".length()));
    }
    for (String bad :
        List.of(
            "0/00", "0/x000/001", "64/000", "0/000.p/0", "0/000.p/256", "entries/000", "00/000")) {
      assertFalse(pattern.matcher(bad).find(), "tile path must not match: " + bad);
    }
  }

  @Test
  void ingestDocumentsWaitForCheckpoint() {
    JsonNode post = doc.path("paths").path("/v1/events").path("post");
    JsonNode wait = null;
    for (JsonNode p : post.path("parameters")) {
      if (deref(p).path("name").asText().equals("wait_for_checkpoint")) {
        wait = deref(p);
      }
    }
    assertNotNull(wait, "POST /v1/events must document wait_for_checkpoint");
    assertEquals("query", wait.path("in").asText());
    assertTrue(
        doc.path("components")
            .path("schemas")
            .path("IngestResponse")
            .path("properties")
            .has("checkpoint"),
        "IngestResponse.checkpoint");
    JsonNode unavailable = deref(post.path("responses").path("503"));
    assertTrue(unavailable.path("headers").has("Retry-After"), "503 carries Retry-After");
    assertTrue(
        wait.path("description").asText().contains("null"),
        "the parameter explains the checkpoint timeout answer");
  }

  @Test
  void componentSchemasArePresent() {
    for (String s : SCHEMAS) {
      assertTrue(doc.path("components").path("schemas").has(s), "schema missing: " + s);
    }
    JsonNode result =
        doc.path("components").path("schemas").path("IngestResult").path("properties");
    for (String f : List.of("index", "id", "seq", "leaf_hash", "status", "errors")) {
      assertTrue(result.has(f), "IngestResult." + f);
    }
    JsonNode page = doc.path("components").path("schemas").path("EventPage").path("properties");
    assertTrue(page.has("events") && page.has("next_cursor"));
    JsonNode inclusion =
        doc.path("components").path("schemas").path("InclusionProof").path("properties");
    for (String f :
        List.of("leaf_index", "tree_size", "leaf_hash", "audit_path", "checkpoint", "id")) {
      assertTrue(inclusion.has(f), "InclusionProof." + f);
    }
    JsonNode consistency =
        doc.path("components").path("schemas").path("ConsistencyProof").path("properties");
    assertTrue(consistency.has("from") && consistency.has("to") && consistency.has("proof"));
    JsonNode checkpoint =
        doc.path("components").path("schemas").path("SignedCheckpoint").path("properties");
    for (String f : List.of("tree_size", "root_hash", "signed_at", "note")) {
      assertTrue(checkpoint.has(f), "SignedCheckpoint." + f);
    }
    JsonNode problem = doc.path("components").path("schemas").path("Problem").path("properties");
    for (String f : List.of("type", "title", "status", "detail", "instance", "errors")) {
      assertTrue(problem.has(f), "Problem." + f);
    }
  }

  @Test
  void eventSchemaMatchesTheCanonicalSchema() throws IOException {
    JsonNode canonical = JSON.readTree(resource("/dev/vellum/catalog/event.json"));
    JsonNode event = doc.path("components").path("schemas").path("Event");
    assertEquals(
        canonical.path("properties"),
        event.path("properties"),
        "components.schemas.Event must carry the canonical event.json properties");
    assertEquals(canonical.path("required"), event.path("required"));
    assertEquals(canonical.path("additionalProperties"), event.path("additionalProperties"));
  }

  @Test
  void everyRefResolvesInsideTheDocument() {
    List<String> refs = new ArrayList<>();
    collectRefs(doc, refs);
    assertFalse(refs.isEmpty());
    for (String ref : refs) {
      assertTrue(ref.startsWith("#/"), "non-local $ref " + ref);
      JsonNode target = doc.at(ref.substring(1));
      assertFalse(target.isMissingNode(), "unresolved $ref " + ref);
    }
  }

  @Test
  void docsPageLoadsLocalSwaggerUiAndTheDocument() throws IOException {
    String html = new String(resource("/web/docs.html"), StandardCharsets.UTF_8);
    assertTrue(html.contains("url: \"/openapi.json\""), "docs.html must load /openapi.json");
    for (String asset :
        List.of("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js")) {
      assertTrue(html.contains(SWAGGER_UI + asset), "docs.html must load " + asset);
    }
    Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
    while (m.find()) {
      String url = m.group(1);
      assertFalse(url.matches("(?i)(https?:)?//.*"), "docs.html must not fetch " + url);
      if (url.startsWith("/webjars/")) {
        assertNotNull(
            OpenApiDocumentTest.class.getResource("/META-INF/resources" + url),
            "webjar asset not on the classpath: " + url);
      }
    }
    assertTrue(html.contains("validatorUrl: null"), "no calls to the public validator");
  }

  private interface OperationCheck {
    void check(String key, JsonNode op);
  }

  private static void forEachOperation(OperationCheck check) {
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> path = it.next();
      for (String m : METHODS) {
        if (path.getValue().has(m)) {
          check.check(m + " " + path.getKey(), path.getValue().get(m));
        }
      }
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode deref(JsonNode node) {
    int hops = 0;
    while (node.has("$ref")) {
      node = doc.at(node.get("$ref").asText().substring(1));
      if (node.isMissingNode() || ++hops > 10) {
        fail("unresolvable $ref chain");
      }
    }
    return node;
  }

  /** All $ref values, skipping example values (which are data, not schema). */
  private static void collectRefs(JsonNode node, List<String> out) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (f.getKey().equals("example") || f.getKey().equals("examples")) {
          continue;
        }
        if (f.getKey().equals("$ref") && f.getValue().isTextual()) {
          out.add(f.getValue().asText());
        } else {
          collectRefs(f.getValue(), out);
        }
      }
    } else if (node.isArray()) {
      node.forEach(n -> collectRefs(n, out));
    }
  }
}
