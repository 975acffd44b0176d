package dev.vellum.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules the benchmarks evaluate: the built-in pack's kinds of pattern, threshold, sequence and
 * new-value rules over a dozen event types, one in ten matching any type, as tenants tend to write.
 * The same set for {@code bench rules} (engine alone) and {@code bench ingest --rules} (in a node).
 */
final class BenchRules {
  private static final String[] TYPES = {
    "LOGIN_FAILED", "LOGIN_SUCCESSFUL", "DOCUMENT_DOWNLOADED", "DOCUMENT_CONTENT_VIEWED",
    "ROLE_ASSIGNED", "PAYMENT_COMPLETED", "CONFIGURATION_CHANGED", "USER_ACCOUNT_DELETED",
    "DOCUMENT_DELETED", "PII_RECORD_VIEWED", "BACKUP_FAILED", "DOCUMENT_INTEGRITY_FAILED"
  };

  private BenchRules() {}

  /** {@code n} rules as the rules API takes them (no id, times or revision). */
  static List<ObjectNode> generate(int n, ObjectMapper json) throws Exception {
    List<ObjectNode> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String type = TYPES[i % TYPES.length];
      String pattern =
          switch (i % 10) {
            case 0 ->
                "{\"source\":[{\"anything-but\":\"VELLUM\"}],\"actor\":{\"ip\":[{\"cidr\":\"192.0.2.0/24\"}]}}";
            case 1, 2, 3 -> "{\"type\":[\"" + type + "\"],\"outcome\":[\"failure\"]}";
            case 4 -> "{\"type\":[\"" + type + "\"],\"actor\":{\"id\":[{\"prefix\":\"adm\"}]}}";
            case 5 ->
                "{\"type\":[\""
                    + type
                    + "\"],\"metadata\":{\"amount\":[{\"numeric\":[\">=\",9000,\"<\",10000]}]}}";
            default -> "{\"type\":[\"" + type + "\"]}";
          };
      ObjectNode rule = json.createObjectNode();
      rule.put("name", "bench rule " + i);
      rule.set("pattern", json.readTree(pattern));
      rule.putArray("group_by").add("actor.id");
      switch (i % 4) {
        case 0, 1 -> rule.putObject("threshold").put("count", 1000).put("window_seconds", 300);
        case 2 ->
            rule.putObject("sequence")
                .put("window_seconds", 3600)
                .set("then", json.readTree("{\"type\":[\"USER_ACCOUNT_DELETED\"]}"));
        default -> rule.putObject("new_value").put("field", "actor.ip");
      }
      rule.put("suppress_seconds", 3600);
      out.add(rule);
    }
    return out;
  }
}
