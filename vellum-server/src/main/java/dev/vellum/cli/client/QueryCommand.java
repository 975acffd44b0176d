package dev.vellum.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vellum query}: search events with the filters of {@code GET /v1/events}. */
@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description = "Search events (GET /v1/events); pages through results up to --limit.")
public final class QueryCommand extends ApiCommand {
  enum Format {
    table,
    json,
    csv
  }

  @Mixin FilterOptions filters = new FilterOptions();

  @Option(names = "--order", defaultValue = "desc", description = "desc (default) or asc")
  String order;

  @Option(
      names = {"-n", "--limit"},
      defaultValue = "100",
      description = "Most events to print (${DEFAULT-VALUE})")
  int limit;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table, json (one event per line) or csv")
  Format format;

  @Override
  int run(Api api) {
    String base = "/v1/events?" + filters.queryString() + "order=" + FilterOptions.enc(order) + "&";
    header(out(), format);
    int printed = 0;
    String cursor = null;
    while (printed < limit) {
      int page = Math.min(1000, limit - printed);
      JsonNode r =
          api.get(
              base
                  + "limit="
                  + page
                  + (cursor == null ? "" : "&cursor=" + FilterOptions.enc(cursor)));
      for (JsonNode e : r.path("events")) {
        print(out(), format, e);
        printed++;
      }
      JsonNode next = r.path("next_cursor");
      if (next.isNull() || next.isMissingNode() || r.path("events").isEmpty()) {
        break;
      }
      cursor = next.asText();
    }
    return 0;
  }

  static void header(PrintWriter out, Format format) {
    if (format == Format.table) {
      out.printf(
          "%-24s %-26s %-14s %-24s %-8s %s%n",
          "OCCURRED_AT", "TYPE", "SOURCE", "ACTOR", "OUTCOME", "ID");
    } else if (format == Format.csv) {
      out.println("occurred_at,type,source,actor_id,outcome,seq,id");
    }
  }

  static void print(PrintWriter out, Format format, JsonNode e) {
    switch (format) {
      case json -> out.println(e.toString());
      case csv ->
          out.println(
              String.join(
                  ",",
                  csv(e.path("occurred_at").asText()),
                  csv(e.path("type").asText()),
                  csv(e.path("source").asText()),
                  csv(e.at("/actor/id").asText()),
                  csv(e.path("outcome").asText()),
                  e.path("seq").asText(),
                  csv(e.path("id").asText())));
      default ->
          out.printf(
              "%-24s %-26s %-14s %-24s %-8s %s%n",
              e.path("occurred_at").asText(),
              e.path("type").asText(),
              e.path("source").asText(),
              e.at("/actor/id").asText(),
              e.path("outcome").asText(),
              e.path("id").asText());
    }
  }

  /** RFC 4180: quote fields with commas, quotes or line breaks; double inner quotes. */
  static String csv(String v) {
    if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) {
      return v;
    }
    return '"' + v.replace("\"", "\"\"") + '"';
  }
}
