package dev.vellum.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vellum types [TYPE]}: the event types, or one type with its JSON Schema. */
@Command(
    name = "types",
    mixinStandardHelpOptions = true,
    description = "List event types, or show one with its JSON Schema.")
public final class TypesCommand extends ApiCommand {
  @Parameters(arity = "0..1", description = "A type to show in full")
  String type;

  @Option(names = "--json", description = "Print the server's JSON")
  boolean json;

  @Override
  int run(Api api) {
    if (type != null) {
      out().println(api.get("/v1/event-types/" + type).toPrettyString());
      return 0;
    }
    JsonNode r = api.get("/v1/event-types");
    if (json) {
      out().println(r.toString());
      return 0;
    }
    JsonNode list =
        r.has("event_types") ? r.get("event_types") : r.has("types") ? r.get("types") : r;
    out().printf("%-36s %-24s %s%n", "TYPE", "CATEGORY", "BUILT_IN");
    for (JsonNode t : list) {
      out()
          .printf(
              "%-36s %-24s %s%n",
              t.path("type").asText(t.path("name").asText()),
              t.path("category").asText(""),
              t.path("built_in").asText(""));
    }
    return 0;
  }
}
