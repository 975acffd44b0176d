package dev.vellum.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vellum sources [put CODE]}: the tenant's registered sources. */
@Command(
    name = "sources",
    mixinStandardHelpOptions = true,
    description = "List the tenant's sources; 'sources put CODE' registers or updates one (admin).",
    subcommands = SourcesCommand.Put.class)
public final class SourcesCommand extends ApiCommand {
  @Option(names = "--json", description = "Print the server's JSON")
  boolean json;

  @Override
  int run(Api api) {
    JsonNode r = api.get("/v1/sources");
    if (json) {
      out().println(r.toString());
      return 0;
    }
    JsonNode list = r.has("sources") ? r.get("sources") : r;
    out().printf("%-24s %-32s %s%n", "CODE", "NAME", "CREATED_AT");
    for (JsonNode s : list) {
      out()
          .printf(
              "%-24s %-32s %s%n",
              s.path("code").asText(), s.path("name").asText(""), s.path("created_at").asText(""));
    }
    return 0;
  }

  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description = "Register or update a source.")
  static final class Put extends ApiCommand {
    @Parameters(index = "0", description = "Source code")
    String code;

    @Option(names = "--name")
    String name;

    @Option(names = "--description")
    String description;

    @Override
    int run(Api api) {
      ObjectNode body = Api.JSON.createObjectNode();
      if (name != null) {
        body.put("name", name);
      }
      if (description != null) {
        body.put("description", description);
      }
      out().println(api.put("/v1/sources/" + code, body).toString());
      return 0;
    }
  }
}
