package dev.vellum.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vellum keys create|list|revoke}: API keys of the caller's tenant (admin scope). */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Create, list and revoke API keys (needs an admin key).",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
public final class KeysCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a key; its secret is printed once.")
  static final class Create extends ApiCommand {
    @Parameters(index = "0", description = "Name of the key")
    String name;

    @Option(
        names = "--scope",
        required = true,
        split = ",",
        description = "events:write, events:read, log:read, admin; repeatable or comma-separated")
    List<String> scopes = new ArrayList<>();

    @Option(names = "--source", split = ",", description = "Sources it may write for (default all)")
    List<String> sources = new ArrayList<>();

    @Override
    int run(Api api) {
      ObjectNode body = Api.JSON.createObjectNode().put("name", name);
      scopes.forEach(body.putArray("scopes")::add);
      if (!sources.isEmpty()) {
        sources.forEach(body.putArray("sources")::add);
      }
      JsonNode k = api.post("/v1/keys", body);
      out().println("id      " + k.path("id").asText());
      out().println("scopes  " + k.path("scopes"));
      out().println("sources " + k.path("sources"));
      out().println("api_key " + k.path("api_key").asText() + "   (shown only now)");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (no secrets).")
  static final class ListKeys extends ApiCommand {
    @Option(names = "--json", description = "Print the server's JSON")
    boolean json;

    @Override
    int run(Api api) {
      JsonNode r = api.get("/v1/keys");
      if (json) {
        out().println(r.toString());
        return 0;
      }
      JsonNode keys = r.has("keys") ? r.get("keys") : r;
      out().printf("%-20s %-24s %-36s %-20s %s%n", "ID", "NAME", "SCOPES", "SOURCES", "REVOKED");
      for (JsonNode k : keys) {
        out()
            .printf(
                "%-20s %-24s %-36s %-20s %s%n",
                k.path("id").asText(),
                k.path("name").asText(),
                join(k.path("scopes")),
                join(k.path("sources")),
                k.path("revoked_at").asText(""));
      }
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key at once.")
  static final class Revoke extends ApiCommand {
    @Parameters(index = "0", description = "Key id (key_…)")
    String id;

    @Override
    int run(Api api) {
      api.delete(
          "/v1/keys/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8));
      out().println("revoked " + id);
      return 0;
    }
  }

  static String join(JsonNode array) {
    List<String> parts = new ArrayList<>();
    array.forEach(v -> parts.add(v.asText()));
    return parts.isEmpty() ? "*" : String.join(",", parts);
  }
}
