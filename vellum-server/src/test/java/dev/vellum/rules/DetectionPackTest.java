package dev.vellum.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Each rule of the built-in pack against a realistic series of events that should fire it, and a
 * benign series that should not. The events have the shape of stored canonical events (UTC times,
 * the catalogue's types and metadata members).
 */
class DetectionPackTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant DAY = Instant.parse("2026-03-10T00:00:00Z");

  /** Feeds events to one pack rule and counts its firings. */
  private static final class Run {
    final Evaluator ev;
    long seq;
    int fired;

    Run(String rule) {
      DetectionPack.PackRule r =
          DetectionPack.rules(JSON, DetectionPack.BASELINE).stream()
              .filter(x -> x.id().equals("pack-baseline-" + rule))
              .findFirst()
              .orElseThrow();
      long at = micros(DAY.minusSeconds(86_400 * 5));
      this.ev = new Evaluator(new RuleParser(JSON).parse("t", r.id(), r.body(), 1, at, at), JSON);
    }

    Run send(String type, String actor, Instant at, Consumer<ObjectNode> more) {
      ObjectNode e = JSON.createObjectNode();
      String id = String.format("00000000-0000-7000-8000-%012d", ++seq);
      e.put("id", id).put("tenant", "t").put("seq", seq).put("source", "APP").put("type", type);
      e.put("occurred_at", at.toString()).put("received_at", at.toString());
      e.putObject("actor").put("type", "user").put("id", actor);
      e.putObject("metadata");
      more.accept(e);
      fired += ev.onEvent(new Evaluator.Ev(seq, id, micros(at), micros(at), "APP", e)).size();
      return this;
    }

    Run send(String type, String actor, Instant at) {
      return send(type, actor, at, e -> {});
    }

    Run tick(Instant now) {
      fired += ev.onTick(micros(now)).size();
      return this;
    }
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  private static Instant at(String hhmmss) {
    return Instant.parse("2026-03-10T" + hhmmss + "Z");
  }

  private static Consumer<ObjectNode> md(String k, Object v) {
    return e -> {
      ObjectNode m = (ObjectNode) e.get("metadata");
      if (v instanceof Number n) {
        m.put(k, n.doubleValue());
      } else {
        m.put(k, String.valueOf(v));
      }
    };
  }

  private static Consumer<ObjectNode> target(String id) {
    return e -> e.putArray("targets").addObject().put("type", "user").put("id", id);
  }

  private static Consumer<ObjectNode> country(String c) {
    return e -> ((ObjectNode) e.get("actor")).putObject("location").put("country", c);
  }

  @Test
  void bruteForceFiresOnFiveFailuresInFiveMinutesNotOnFourSpreadOut() {
    Run bad = new Run("brute-force-login");
    for (int i = 0; i < 5; i++) {
      bad.send("LOGIN_FAILED", "alice", at("10:00:0" + i));
    }
    assertEquals(1, bad.fired);
    Run benign = new Run("brute-force-login");
    for (int i = 0; i < 5; i++) {
      benign.send("LOGIN_FAILED", "alice", at("1" + i + ":00:00")); // one an hour
    }
    benign.send("LOGIN_SUCCESSFUL", "alice", at("15:00:00"));
    assertEquals(0, benign.fired);
  }

  @Test
  void newCountryFiresForAnActorsSecondCountryOnly() {
    Run r = new Run("login-new-country");
    r.send("LOGIN_SUCCESSFUL", "alice", at("09:00:00"), country("DE"));
    r.send("LOGIN_SUCCESSFUL", "alice", at("10:00:00"), country("DE"));
    r.send("LOGIN_SUCCESSFUL", "bob", at("10:00:00"), country("FR")); // bob's first: no baseline
    assertEquals(0, r.fired);
    r.send("LOGIN_SUCCESSFUL", "alice", at("11:00:00"), country("KP"));
    assertEquals(1, r.fired);
    r.send("LOGIN_SUCCESSFUL", "alice", at("12:00:00"), country("KP"));
    assertEquals(1, r.fired);
  }

  @Test
  void sensitiveDataAfterHoursFiresAtNightNotAtNoon() {
    Consumer<ObjectNode> pii = md("data_class", "PII").andThen(target("patient-1"));
    Run r = new Run("sensitive-data-after-hours");
    r.send("PII_RECORD_VIEWED", "nurse", at("12:30:00"), pii);
    r.send("PHI_RECORD_VIEWED", "nurse", at("18:59:59"), pii);
    assertEquals(0, r.fired);
    r.send("PHI_RECORD_VIEWED", "nurse", at("03:12:00"), pii);
    assertEquals(1, r.fired);
  }

  @Test
  void massDownloadFiresOnFiftyDownloadsByOneActor() {
    Run bad = new Run("mass-download");
    for (int i = 0; i < 50; i++) {
      bad.send("DOCUMENT_DOWNLOADED", "mallory", at("10:00:00").plusSeconds(i));
    }
    assertEquals(1, bad.fired);
    Run benign = new Run("mass-download");
    for (int i = 0; i < 50; i++) {
      benign.send("DOCUMENT_DOWNLOADED", "user" + (i % 10), at("10:00:00").plusSeconds(i));
    }
    assertEquals(0, benign.fired);
  }

  @Test
  void adminRoleGrantFiresForAdminRolesOnly() {
    Run r = new Run("admin-role-granted");
    r.send("ROLE_ASSIGNED", "hr", at("10:00:00"), md("role", "viewer"));
    assertEquals(0, r.fired);
    r.send("ROLE_ASSIGNED", "hr", at("10:01:00"), md("role", "tenant-admin"));
    assertEquals(1, r.fired);
  }

  @Test
  void accountCreatedThenDeletedWithinADayFires() {
    Run r = new Run("account-created-then-deleted");
    r.send("USER_ACCOUNT_CREATED", "admin", at("10:00:00"), target("u-1"));
    r.send("USER_ACCOUNT_CREATED", "admin", at("10:00:00"), target("u-2"));
    r.send("USER_ACCOUNT_DELETED", "admin", at("11:00:00"), target("u-1"));
    assertEquals(1, r.fired);
    r.send("USER_ACCOUNT_DELETED", "admin", at("10:00:00").plusSeconds(2 * 86_400), target("u-2"));
    assertEquals(1, r.fired); // u-2 lived two days
  }

  @Test
  void configurationChangeWithoutTicketFires() {
    Run r = new Run("config-change-without-ticket");
    r.send(
        "CONFIGURATION_CHANGED",
        "ops",
        at("10:00:00"),
        md("component", "billing").andThen(md("change_ticket", "CHG-1234")));
    assertEquals(0, r.fired);
    r.send("CONFIGURATION_CHANGED", "ops", at("10:05:00"), md("component", "billing"));
    assertEquals(1, r.fired);
  }

  @Test
  void deletionSpikeFiresOnFiftyDeletionsInTenMinutes() {
    Run bad = new Run("deletion-spike");
    for (int i = 0; i < 50; i++) {
      bad.send("DOCUMENT_DELETED", "u" + i, at("10:00:00").plusSeconds(i * 10));
    }
    assertEquals(1, bad.fired);
    Run benign = new Run("deletion-spike");
    for (int i = 0; i < 50; i++) {
      benign.send("DOCUMENT_DELETED", "u" + i, at("00:00:00").plusSeconds(i * 900));
    }
    assertEquals(0, benign.fired);
  }

  @Test
  void backupFailedFiresAndCompletedDoesNot() {
    Run r = new Run("backup-failed");
    r.send("BACKUP_COMPLETED", "cron", at("02:00:00"), md("system", "db"));
    assertEquals(0, r.fired);
    r.send("BACKUP_FAILED", "cron", at("02:00:00"), md("system", "db"));
    assertEquals(1, r.fired);
  }

  @Test
  void backupMissingFiresAfterTwentySixQuietHoursForThatSystem() {
    Run r = new Run("backup-missing");
    r.send("BACKUP_COMPLETED", "cron", at("02:00:00"), md("system", "db"));
    r.tick(at("02:00:00").plusSeconds(25 * 3600));
    assertEquals(0, r.fired);
    r.send("BACKUP_COMPLETED", "cron", at("02:00:00").plusSeconds(24 * 3600), md("system", "db"));
    r.tick(at("02:00:00").plusSeconds(49 * 3600));
    assertEquals(0, r.fired); // daily backups keep it quiet
    r.tick(at("02:00:00").plusSeconds(51 * 3600));
    assertEquals(1, r.fired);
  }

  @Test
  void largePaymentFiresAtTenThousandNotBelow() {
    Consumer<ObjectNode> small = md("amount", 9_999.99).andThen(md("currency", "EUR"));
    Consumer<ObjectNode> large = md("amount", 25_000).andThen(md("currency", "EUR"));
    Run r = new Run("large-payment");
    r.send("PAYMENT_COMPLETED", "shop", at("10:00:00"), small);
    assertEquals(0, r.fired);
    r.send("PAYMENT_COMPLETED", "shop", at("10:00:00"), large);
    assertEquals(1, r.fired);
  }

  @Test
  void structuringFiresOnThreePaymentsJustBelowTheThreshold() {
    Run bad = new Run("structuring");
    for (int i = 0; i < 3; i++) {
      bad.send("FUNDS_TRANSFERRED", "smurf", at("0" + (i + 1) + ":00:00"), md("amount", 9_500 + i));
    }
    assertEquals(1, bad.fired);
    Run benign = new Run("structuring");
    benign.send("FUNDS_TRANSFERRED", "payroll", at("01:00:00"), md("amount", 9_500));
    benign.send("FUNDS_TRANSFERRED", "payroll", at("02:00:00"), md("amount", 120));
    benign.send("FUNDS_TRANSFERRED", "payroll", at("03:00:00"), md("amount", 15_000));
    assertEquals(0, benign.fired);
  }

  @Test
  void activityByADeletedAccountFires() {
    Run r = new Run("activity-after-account-deleted");
    r.send("DOCUMENT_DOWNLOADED", "carol", at("09:00:00"));
    r.send("USER_ACCOUNT_DELETED", "admin", at("10:00:00"), target("carol"));
    r.send("DOCUMENT_DOWNLOADED", "dave", at("11:00:00"));
    assertEquals(0, r.fired);
    r.send("DOCUMENT_DOWNLOADED", "carol", at("11:00:00"));
    assertEquals(1, r.fired);
  }

  @Test
  void documentIntegrityFailureFires() {
    Run r = new Run("document-integrity-failure");
    r.send("DOCUMENT_INTEGRITY_CHECKED", "scanner", at("10:00:00"));
    assertEquals(0, r.fired);
    r.send("DOCUMENT_INTEGRITY_FAILED", "scanner", at("10:00:00"));
    assertEquals(1, r.fired);
  }

  /** Runs a pack alarm rule over samples "seconds:value" and returns the steps as F, R and dots. */
  private static String alarm(String rule, String samples) {
    Rule r = new Run(rule).ev.rule;
    SignalCondition c = java.util.Objects.requireNonNull(r.signal());
    assertEquals("t", c.dimensions().get("tenant"), "a pack alarm watches its own tenant");
    AlarmState st = new AlarmState();
    StringBuilder out = new StringBuilder();
    for (String sample : samples.split(" ")) {
      String[] p = sample.split(":");
      long now = Long.parseLong(p[0]) * 1_000_000L;
      switch (st.observe(
          c.holds(Double.parseDouble(p[1])), now, c.forMicros(), r.suppressMicros())) {
        case FIRE -> {
          st.alertId = "a";
          out.append('F');
        }
        case RESOLVE -> {
          st.alertId = null;
          out.append('R');
        }
        case NONE -> out.append('.');
      }
    }
    return out.toString();
  }

  @Test
  void logSelfCheckFailedFiresAtTheFirstFailedCheckAndResolvesWhenItVerifiesAgain() {
    assertEquals("...", alarm("log-self-check-failed", "0:0 10:0 20:0"));
    assertEquals(".F.R", alarm("log-self-check-failed", "0:0 10:1 20:1 30:0"));
  }

  @Test
  void checkpointStaleFiresAfterFiveMinutesOverTenMinutesNotOnAShortGap() {
    assertEquals("....", alarm("checkpoint-stale", "0:0 60:30 120:700 300:0"), "one stale sample");
    assertEquals(
        "....F.R", alarm("checkpoint-stale", "0:601 60:661 120:721 240:841 300:901 310:911 320:0"));
  }

  @Test
  void everyPackRuleIsCoveredHere() {
    List<String> ids = new ArrayList<>();
    DetectionPack.rules(JSON, DetectionPack.BASELINE).forEach(r -> ids.add(r.id()));
    assertEquals(16, ids.size(), ids.toString());
  }
}
