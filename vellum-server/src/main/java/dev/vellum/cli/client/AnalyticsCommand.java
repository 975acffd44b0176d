package dev.vellum.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vellum analytics "<sql>"}: runs one read-only SELECT over the tenant's {@code events} view
 * through {@code POST /v1/analytics/query} and prints the answer as CSV (the default, RFC 4180) or
 * the server's JSON. A truncated answer or an incomplete view is reported on stderr.
 */
@Command(
    name = "analytics",
    mixinStandardHelpOptions = true,
    description = "Run read-only SQL over the tenant's archived and hot events (view: events).")
public final class AnalyticsCommand extends ApiCommand {
  @Parameters(index = "0", description = "One SELECT (or WITH … SELECT) over the events view")
  String sql;

  @Option(names = "--format", defaultValue = "csv", description = "csv (default) or json")
  String format;

  @Option(names = "--max-rows", description = "Return at most this many rows")
  Integer maxRows;

  @Option(names = "--timeout-ms", description = "Cancel the query after this many milliseconds")
  Long timeoutMs;

  @Override
  int run(Api api) {
    if (!format.equals("csv") && !format.equals("json")) {
      err().println("vellum: --format must be csv or json");
      return 2;
    }
    ObjectNode body = Api.JSON.createObjectNode();
    body.put("sql", sql);
    body.put("format", "json");
    if (maxRows != null) {
      body.put("max_rows", maxRows);
    }
    if (timeoutMs != null) {
      body.put("timeout_ms", timeoutMs);
    }
    JsonNode r = api.post("/v1/analytics/query", body);
    if (format.equals("json")) {
      out().println(r.toPrettyString());
    } else {
      printCsv(r);
    }
    if (r.path("truncated").asBoolean(false)) {
      err()
          .println(
              "vellum: only "
                  + r.path("row_count").asLong()
                  + " rows returned (cut off by "
                  + r.path("truncated_by").asText()
                  + ")");
    }
    JsonNode cov = r.path("coverage");
    if (!cov.path("complete").asBoolean(true)) {
      err()
          .println(
              "vellum: the view held "
                  + cov.path("hot_events_loaded").asLong()
                  + " of "
                  + cov.path("hot_events_unarchived").asLong()
                  + " events not yet archived; the newest are missing");
    }
    err().flush();
    return 0;
  }

  private void printCsv(JsonNode r) {
    StringBuilder b = new StringBuilder();
    boolean first = true;
    for (JsonNode c : r.path("columns")) {
      b.append(first ? "" : ",").append(cell(c.path("name").asText()));
      first = false;
    }
    out().print(b.append("\r\n"));
    for (JsonNode row : r.path("rows")) {
      b.setLength(0);
      for (int i = 0; i < row.size(); i++) {
        JsonNode v = row.get(i);
        b.append(i > 0 ? "," : "");
        if (v.isNumber() || v.isBoolean()) {
          b.append(v.asText());
        } else if (!v.isNull()) {
          b.append(cell(v.asText()));
        }
      }
      out().print(b.append("\r\n"));
    }
  }

  /** RFC 4180 quoting. */
  private static String cell(String v) {
    if (v.indexOf(',') >= 0
        || v.indexOf('"') >= 0
        || v.indexOf('\n') >= 0
        || v.indexOf('\r') >= 0) {
      return '"' + v.replace("\"", "\"\"") + '"';
    }
    return v;
  }
}
