package dev.vellum.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in detection pack {@code baseline}: ordinary rules, written in the same language as any
 * other, created per tenant on request and editable afterwards. Type names and metadata members are
 * those of the built-in catalogue ({@code docs/event-catalogue.md}); times of day are UTC.
 */
final class DetectionPack {
  static final String BASELINE = "baseline";

  /** One rule of a pack, with the id it gets in the tenant. */
  record PackRule(String id, ObjectNode body) {}

  private static final String AFTER_HOURS;

  static {
    // EventBridge patterns have no time-of-day operator; occurred_at is stored in UTC as
    // 2026-01-31T22:04:05.123Z, so one wildcard per hour outside 07:00-19:00 does it
    StringBuilder sb = new StringBuilder();
    for (int h : new int[] {0, 1, 2, 3, 4, 5, 6, 19, 20, 21, 22, 23}) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(String.format("{\"wildcard\":\"*T%02d:*\"}", h));
    }
    AFTER_HOURS = sb.toString();
  }

  private static final String PAYMENT_TYPES =
      "[\"PAYMENT_INITIATED\",\"PAYMENT_COMPLETED\",\"FUNDS_TRANSFERRED\"]";

  private static final String[][] BASELINE_RULES = {
    {
      "brute-force-login",
      """
      {"name":"Brute-force logins","severity":"warning",
       "description":"5 or more failed sign-ins for one account within 5 minutes; records MULTIPLE_LOGIN_FAILED",
       "pattern":{"type":["LOGIN_FAILED"]},"group_by":["actor.id"],
       "threshold":{"count":5,"window_seconds":300},"suppress_seconds":900,
       "actions":{"derive":{"type":"MULTIPLE_LOGIN_FAILED"}}}
      """
    },
    {
      "login-new-country",
      """
      {"name":"Login from a new country","severity":"warning",
       "description":"A successful sign-in from a country this actor has not signed in from before (last 20 countries per actor, 4000 actors)",
       "pattern":{"type":["LOGIN_SUCCESSFUL"],"actor":{"location":{"country":[{"exists":true}]}}},
       "group_by":["actor.id"],"new_value":{"field":"actor.location.country"}}
      """
    },
    {
      "sensitive-data-after-hours",
      """
      {"name":"Sensitive data accessed outside business hours","severity":"warning",
       "description":"PII, PHI or PCI viewed or exported before 07:00 or after 19:00 UTC",
       "pattern":{"type":["PII_RECORD_VIEWED","PHI_RECORD_VIEWED","PCI_DATA_VIEWED",
         "PII_RECORD_EXPORTED","PHI_RECORD_EXPORTED","PCI_DATA_EXPORTED"],
         "occurred_at":[%s]},
       "group_by":["actor.id"],"suppress_seconds":3600}
      """
    },
    {
      "mass-download",
      """
      {"name":"Mass download or export","severity":"error",
       "description":"50 or more downloads or exports by one actor within 10 minutes",
       "pattern":{"type":["DOCUMENT_DOWNLOADED","PII_RECORD_EXPORTED","PHI_RECORD_EXPORTED","PCI_DATA_EXPORTED"]},
       "group_by":["actor.id"],"threshold":{"count":50,"window_seconds":600},"suppress_seconds":3600}
      """
    },
    {
      "admin-role-granted",
      """
      {"name":"Administrator role granted","severity":"warning",
       "description":"A role whose name contains admin (or root, superuser) was assigned",
       "pattern":{"type":["ROLE_ASSIGNED"],"metadata":{"role":[{"wildcard":"*admin*"},
         {"wildcard":"*Admin*"},{"wildcard":"*ADMIN*"},{"equals-ignore-case":"root"},
         {"equals-ignore-case":"superuser"}]}}}
      """
    },
    {
      "account-created-then-deleted",
      """
      {"name":"Account created and deleted within a day","severity":"warning",
       "description":"A user account was deleted less than 24 hours after it was created",
       "pattern":{"type":["USER_ACCOUNT_CREATED"]},"group_by":["targets.id"],
       "sequence":{"then":{"type":["USER_ACCOUNT_DELETED"]},"window_seconds":86400}}
      """
    },
    {
      "config-change-without-ticket",
      """
      {"name":"Configuration change without a change ticket","severity":"notice",
       "description":"A configuration, security setting or feature flag changed without metadata.change_ticket",
       "pattern":{"type":["CONFIGURATION_CHANGED","SECURITY_SETTING_CHANGED","FEATURE_FLAG_TOGGLED"],
         "source":[{"anything-but":"VELLUM"}],"metadata":{"change_ticket":[{"exists":false}]}}}
      """
    },
    {
      "deletion-spike",
      """
      {"name":"Deletion spike","severity":"error",
       "description":"50 or more deletions within 10 minutes across the tenant",
       "pattern":{"type":["DOCUMENT_DELETED","DOCUMENT_METADATA_DELETED","USER_ACCOUNT_DELETED"]},
       "threshold":{"count":50,"window_seconds":600},"suppress_seconds":3600}
      """
    },
    {
      "backup-failed",
      """
      {"name":"Backup failed","severity":"error","description":"A backup run failed",
       "pattern":{"type":["BACKUP_FAILED"]},"group_by":["metadata.system"]}
      """
    },
    {
      "backup-missing",
      """
      {"name":"Backup missing","severity":"error",
       "description":"No BACKUP_COMPLETED for a system within 26 hours of its last one",
       "pattern":{"type":["BACKUP_COMPLETED"]},"group_by":["metadata.system"],
       "absence":{"window_seconds":93600}}
      """
    },
    {
      "large-payment",
      """
      {"name":"Payment above 10,000","severity":"notice",
       "description":"A payment or transfer of 10,000 or more (numeric amounts; any currency)",
       "pattern":{"type":%s,"metadata":{"amount":[{"numeric":[">=",10000]}]}}}
      """
    },
    {
      "structuring",
      """
      {"name":"Many payments just below 10,000 (structuring)","severity":"error",
       "description":"3 or more payments between 9,000 and 10,000 by one actor within 24 hours",
       "pattern":{"type":%s,"metadata":{"amount":[{"numeric":[">=",9000,"<",10000]}]}},
       "group_by":["actor.id"],"threshold":{"count":3,"window_seconds":86400},"suppress_seconds":86400}
      """
    },
    {
      "activity-after-account-deleted",
      """
      {"name":"Activity by a deleted account","severity":"critical",
       "description":"An event by an actor within 30 days after USER_ACCOUNT_DELETED named it as target",
       "pattern":{"type":["USER_ACCOUNT_DELETED"]},"group_by":["targets.id"],
       "sequence":{"then":{"source":[{"anything-but":"VELLUM"}],
         "type":[{"anything-but":["USER_ACCOUNT_DELETED","USER_ACCOUNT_CREATED"]}]},
         "then_group_by":["actor.id"],"window_seconds":2592000}}
      """
    },
    {
      "document-integrity-failure",
      """
      {"name":"Document integrity failure","severity":"critical",
       "description":"A document no longer matches its stored digest",
       "pattern":{"type":["DOCUMENT_INTEGRITY_FAILED"]}}
      """
    },
    {
      "log-self-check-failed",
      """
      {"name":"Audit log failed its self-check","severity":"critical",
       "description":"The latest signed checkpoint of this tenant's log does not verify against the stored tiles or the checkpoint verified before: the log may have been changed behind Vellum's back",
       "signal":{"name":"verification_failed","op":">","value":0},"suppress_seconds":3600}
      """
    },
    {
      "checkpoint-stale",
      """
      {"name":"Events left unsigned","severity":"error",
       "description":"Events committed more than 10 minutes ago are still not covered by a signed checkpoint (is the checkpoint signer running?)",
       "signal":{"name":"checkpoint_age_seconds","op":">","value":600,"for":"5m"},"suppress_seconds":3600}
      """
    },
  };

  private DetectionPack() {}

  static List<PackRule> rules(ObjectMapper json, String pack) {
    if (!BASELINE.equals(pack)) {
      throw RuleProblem.notFound("no detection pack " + pack + "; known: " + BASELINE);
    }
    List<PackRule> out = new ArrayList<>();
    for (String[] r : BASELINE_RULES) {
      String text = r[1].contains("%s") ? r[1].formatted(fill(r[0])) : r[1];
      try {
        ObjectNode body = (ObjectNode) json.readTree(text);
        body.put("pack", pack);
        out.add(new PackRule("pack-" + pack + "-" + r[0], body));
      } catch (IOException e) {
        throw new IllegalStateException("built-in rule " + r[0] + " is not JSON", e);
      }
    }
    return out;
  }

  private static String fill(String id) {
    return id.equals("sensitive-data-after-hours") ? AFTER_HOURS : PAYMENT_TYPES;
  }

  static ArrayNode describe(ObjectMapper json) {
    ArrayNode packs = json.createArrayNode();
    ObjectNode p = packs.addObject();
    p.put("name", BASELINE);
    p.put("description", "Common detections over the built-in catalogue");
    ArrayNode rules = p.putArray("rules");
    for (PackRule r : rules(json, BASELINE)) {
      JsonNode b = r.body();
      rules.addObject().put("id", r.id()).put("name", b.path("name").asText());
    }
    return packs;
  }
}
