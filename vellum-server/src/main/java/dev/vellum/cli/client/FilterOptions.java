package dev.vellum.cli.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The search filters of {@code GET /v1/events} as flags, shared by query and tail. */
final class FilterOptions {
  @Option(names = "--from", description = "occurred_at from (RFC 3339, inclusive)")
  @Nullable String from;

  @Option(names = "--to", description = "occurred_at to (RFC 3339, exclusive)")
  @Nullable String to;

  @Option(names = "--type", description = "Event type; repeatable")
  List<String> types = new ArrayList<>();

  @Option(names = "--category")
  @Nullable String category;

  @Option(names = "--source")
  @Nullable String source;

  @Option(names = "--actor-id")
  @Nullable String actorId;

  @Option(names = "--actor-ip")
  @Nullable String actorIp;

  @Option(names = "--target-type")
  @Nullable String targetType;

  @Option(names = "--target-id")
  @Nullable String targetId;

  @Option(names = "--outcome")
  @Nullable String outcome;

  @Option(names = "--severity")
  @Nullable String severity;

  @Option(names = "--session-id")
  @Nullable String sessionId;

  @Option(names = "--tag")
  @Nullable String tag;

  @Option(
      names = {"-q", "--text"},
      description = "Full text: every word must occur")
  @Nullable String text;

  /** The filters as a query string ending in '&', ready for more parameters. */
  String queryString() {
    Map<String, @Nullable String> params = new LinkedHashMap<>();
    params.put("from", from);
    params.put("to", to);
    params.put("category", category);
    params.put("source", source);
    params.put("actor_id", actorId);
    params.put("actor_ip", actorIp);
    params.put("target_type", targetType);
    params.put("target_id", targetId);
    params.put("outcome", outcome);
    params.put("severity", severity);
    params.put("session_id", sessionId);
    params.put("tag", tag);
    params.put("q", text);
    StringBuilder q = new StringBuilder();
    params.forEach(
        (k, v) -> {
          if (v != null) {
            q.append(k).append('=').append(enc(v)).append('&');
          }
        });
    types.forEach(t -> q.append("type=").append(enc(t)).append('&'));
    return q.toString();
  }

  static String enc(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }
}
