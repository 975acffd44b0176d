package dev.vellum.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vellum archive restore --tenant T --from … --to … [--until …]}: brings the tenant's
 * archived events of an {@code occurred_at} range back into the hot store through {@code POST
 * /v1/archive/restores} (an admin key of that tenant) and prints a summary. A refusal (an archive
 * that does not match itself or the log, a range too wide) is printed with the server's detail and
 * exits 1.
 */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description =
        "Bring a tenant's archived events of a time range back into the hot store for an"
            + " investigation (same seqs, marked restored, until a time).")
public final class ArchiveRestoreCommand extends ApiCommand {
  @Option(
      names = "--tenant",
      required = true,
      description = "The tenant whose archive to restore from (the key's own)")
  String tenant;

  @Option(
      names = "--from",
      required = true,
      description = "Start of the occurred_at range, inclusive (RFC 3339)")
  String from;

  @Option(
      names = "--to",
      required = true,
      description = "End of the occurred_at range, exclusive (RFC 3339)")
  String to;

  @Option(
      names = "--until",
      description = "When the restored events leave the hot store again (default: server's hold)")
  @Nullable String until;

  @Override
  int run(Api api) {
    ObjectNode body = Api.JSON.createObjectNode();
    body.put("tenant", tenant).put("from", from).put("to", to);
    if (until != null) {
      body.put("until", until);
    }
    JsonNode r = api.post("/v1/archive/restores", body);
    out()
        .println(
            "restored "
                + r.path("count").asLong()
                + " events of tenant "
                + r.path("tenant").asText(tenant)
                + " from "
                + r.path("file_count").asLong()
                + " archive files ("
                + r.path("already_hot").asLong()
                + " of the range were hot already), until "
                + r.path("until").asText());
    StringBuilder ranges = new StringBuilder();
    for (JsonNode range : r.path("seq_ranges")) {
      ranges.append(ranges.length() == 0 ? "" : ", ");
      long first = range.path(0).asLong();
      long last = range.path(1).asLong();
      ranges.append(first == last ? Long.toString(first) : first + "-" + last);
    }
    if (ranges.length() > 0) {
      out().println("seqs: " + ranges);
    }
    out()
        .println(
            "restore "
                + r.path("restore_id").asText()
                + ", recorded as event "
                + r.path("event_id").asText());
    return 0;
  }
}
