package dev.vellum.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vellum query}: search events with the filters of {@code GET /v1/events}. */
@Command(name = "query", mixinStandardHelpOptions = true,
    description = "Search events (GET /v1/events); pages through results up to --limit.")
public final class QueryCommand extends ApiCommand {
  enum Format { table, json, csv }

  @Option(names = "--from", description = "occurred_at from (RFC 3339, inclusive)") String from;
  @Option(names = "--to", description = "occurred_at to (RFC 3339, exclusive)") String to;
  @Option(names = "--type", description = "Event type; repeatable") List<String> types = new ArrayList<>();
  @Option(names = "--category") String category;
  @Option(names = "--source") String source;
  @Option(names = "--actor-id") String actorId;
  @Option(names = "--actor-ip") String actorIp;
  @Option(names = "--target-type") String targetType;
  @Option(names = "--target-id") String targetId;
  @Option(names = "--outcome") String outcome;
  @Option(names = "--severity") String severity;
  @Option(names = "--session-id") String sessionId;
  @Option(names = "--tag") String tag;
  @Option(names = {"-q", "--text"}, description = "Full text: every word must occur") String text;
  @Option(names = "--order", defaultValue = "desc", description = "desc (default) or asc") String order;
  @Option(names = {"-n", "--limit"}, defaultValue = "100",
      description = "Most events to print (${DEFAULT-VALUE})") int limit;
  @Option(names = {"-o", "--output"}, defaultValue = "table",
      description = "table, json (one event per line) or csv") Format format;

  @Override
  int run(Api api) {
    Map<String, String> params = new LinkedHashMap<>();
    put(params, "from", from);
    put(params, "to", to);
    put(params, "category", category);
    put(params, "source", source);
    put(params, "actor_id", actorId);
    put(params, "actor_ip", actorIp);
    put(params, "target_type", targetType);
    put(params, "target_id", targetId);
    put(params, "outcome", outcome);
    put(params, "severity", severity);
    put(params, "session_id", sessionId);
    put(params, "tag", tag);
    put(params, "q", text);
    put(params, "order", order);
    StringBuilder base = new StringBuilder("/v1/events?");
    params.forEach((k, v) -> base.append(k).append('=').append(enc(v)).append('&'));
    types.forEach(t -> base.append("type=").append(enc(t)).append('&'));
    if (format == Format.table) {
      out().printf("%-24s %-26s %-14s %-24s %-8s %s%n", "OCCURRED_AT", "TYPE", "SOURCE",
          "ACTOR", "OUTCOME", "ID");
    } else if (format == Format.csv) {
      out().println("occurred_at,type,source,actor_id,outcome,seq,id");
    }
    int printed = 0;
    String cursor = null;
    while (printed < limit) {
      int page = Math.min(1000, limit - printed);
      JsonNode r = api.get(base + "limit=" + page
          + (cursor == null ? "" : "&cursor=" + enc(cursor)));
      for (JsonNode e : r.path("events")) {
        print(e);
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

  private void print(JsonNode e) {
    switch (format) {
      case json -> out().println(e.toString());
      case csv -> out().println(String.join(",", csv(e.path("occurred_at").asText()),
          csv(e.path("type").asText()), csv(e.path("source").asText()),
          csv(e.at("/actor/id").asText()), csv(e.path("outcome").asText()),
          e.path("seq").asText(), csv(e.path("id").asText())));
      default -> out().printf("%-24s %-26s %-14s %-24s %-8s %s%n",
          e.path("occurred_at").asText(), e.path("type").asText(), e.path("source").asText(),
          e.at("/actor/id").asText(), e.path("outcome").asText(), e.path("id").asText());
    }
  }

  /** RFC 4180: quote fields with commas, quotes or line breaks; double inner quotes. */
  static String csv(String v) {
    if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) {
      return v;
    }
    return '"' + v.replace("\"", "\"\"") + '"';
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static String enc(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }
}
