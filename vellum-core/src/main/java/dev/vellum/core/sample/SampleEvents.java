package dev.vellum.core.sample;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.catalog.BuiltInCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Realistic, schema-valid canonical audit events for demos, tests and load generation.
 *
 * <p>Deterministic for a given seed and sequence of calls. Events have no {@code id} and no server
 * members. Actors come from a stable pool of 50 people (e-mail addresses as ids, a home office, an
 * IP address and a device each) plus a few service accounts; failures appear in realistic
 * proportions. Not thread-safe: use one instance per thread.
 */
public final class SampleEvents {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  // ------------------------------------------------------------------ the world

  /**
   * People, offices, devices, type frequencies and metadata generators: data, kept in {@code
   * dev/vellum/sample/world.json} rather than in code. Read once; never modified.
   */
  private static final JsonNode WORLD = loadWorld();

  private static final String DOMAIN = WORLD.get("domain").asText();
  private static final JsonNode DEPARTMENTS = WORLD.get("departments");
  private static final JsonNode TITLES = WORLD.get("titles");
  private static final JsonNode SERVICES = WORLD.get("services");
  private static final JsonNode REPOS = WORLD.get("repos");
  private static final JsonNode DOC_NAMES = WORLD.get("doc_names");
  private static final String[] WORDS = WORLD.get("filler_text").asText().split(" ");
  private static final JsonNode METADATA = WORLD.get("metadata");
  private static final JsonNode LISTS = WORLD.get("lists");
  private static final Set<String> SERVICE_ACTOR_TYPES = new HashSet<>();

  static {
    WORLD.get("service_actor_types").forEach(t -> SERVICE_ACTOR_TYPES.add(t.asText()));
  }

  private static JsonNode loadWorld() {
    String name = "/dev/vellum/sample/world.json";
    try (InputStream in = SampleEvents.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " missing from the class path");
      }
      return MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name, e);
    }
  }

  // ------------------------------------------------------------------ state

  private final Random random;
  private final List<Person> people = new ArrayList<>();
  private final List<String> types;
  private final double[] cumulative;

  /** A person of the stable actor pool. */
  // every field is set right after construction, in the constructor's pool loop
  @SuppressWarnings("NullAway.Init")
  private static final class Person {
    String id;
    String name;
    String department;

    @SuppressWarnings(
        "UnusedVariable") // read from the world file with the rest; no type uses it yet
    String title;

    JsonNode office;
    String ip;
    JsonNode device;
  }

  public SampleEvents(long seed) {
    this.random = new Random(seed);
    Random world = new Random(0x5EED_F00DL); // the pool is the same whatever the seed
    JsonNode names = WORLD.get("people");
    JsonNode offices = WORLD.get("offices");
    JsonNode devices = WORLD.get("devices");
    for (int i = 0; i < names.size(); i++) {
      Person p = new Person();
      String first = names.get(i).get(0).asText();
      String last = names.get(i).get(1).asText();
      p.id = (first + "." + last).toLowerCase(Locale.ROOT).replace("'", "") + "@" + DOMAIN;
      p.name = first + " " + last;
      p.department = DEPARTMENTS.get(i % DEPARTMENTS.size()).asText();
      p.title = TITLES.get(i % TITLES.size()).asText();
      p.office = offices.get(world.nextInt(offices.size()));
      p.ip = p.office.get("ip_prefix").asText() + (10 + world.nextInt(230));
      p.device = devices.get(world.nextInt(devices.size()));
      people.add(p);
    }
    // alerts are written by the rules engine when a rule fires, never by a producer: demo data
    // with alerts of rules that do not exist would mislead whoever explores it; the same holds
    // for legal holds, archive deletions and restores, which only the server records
    types = new ArrayList<>(BuiltInCatalog.typeNames());
    types.removeIf(
        t ->
            t.startsWith("ALERT_")
                || t.startsWith("LEGAL_HOLD_")
                || t.equals("ARCHIVE_FILES_DELETED")
                || t.equals("ARCHIVE_RESTORED"));
    cumulative = new double[types.size()];
    double sum = 0;
    JsonNode weights = WORLD.get("type_weights");
    double otherwise = WORLD.get("default_type_weight").asDouble();
    for (int i = 0; i < types.size(); i++) {
      sum += weights.path(types.get(i)).asDouble(otherwise);
      cumulative[i] = sum;
    }
  }

  // ------------------------------------------------------------------ public API

  /** One realistic event of a type drawn with realistic frequencies. */
  public ObjectNode next(Instant occurredAt, String source) {
    return event(pickType(), occurredAt, source, null, Map.of());
  }

  /**
   * One realistic event whose compact JSON is about {@code approxBytes} long (within a few bytes
   * for sizes of 700 and more; small sizes give the smallest event the generator can make), padded
   * with a {@code metadata.details} note.
   */
  public ObjectNode next(Instant occurredAt, String source, int approxBytes) {
    ObjectNode ev = next(occurredAt, source);
    return fit(ev, approxBytes);
  }

  /** A realistic event of the given built-in type. */
  public ObjectNode next(String type, Instant occurredAt, String source) {
    if (!BuiltInCatalog.contains(type)) {
      throw new IllegalArgumentException("not a built-in event type: " + type);
    }
    return event(type, occurredAt, source, null, Map.of());
  }

  /**
   * About {@code count} events spread over the 7 days before {@code now}, with a working-day
   * rhythm, sorted by {@code occurred_at}, including small stories: a brute-force attack ending in
   * an account lockout, a document upload and verification, a deploy followed by a rollback, an
   * order refunded after a support call, and an employee's offboarding.
   */
  public List<ObjectNode> demoSet(Instant now, int count, String source) {
    List<ObjectNode> out = new ArrayList<>();
    Instant start = now.minus(Duration.ofDays(7));
    if (count <= 0) {
      return out;
    }
    out.addAll(bruteForce(workTime(start, now, 2), source));
    out.addAll(documentVerification(workTime(start, now, 3), source));
    out.addAll(deployAndRollback(workTime(start, now, 4), source));
    out.addAll(refund(workTime(start, now, 5), source));
    out.addAll(offboarding(workTime(start, now, 6), source));
    while (out.size() > count) {
      out.remove(random.nextInt(out.size()));
    }
    while (out.size() < count) {
      out.add(next(rhythmTime(start, now), source));
    }
    out.removeIf(e -> Instant.parse(e.get("occurred_at").asText()).isAfter(now));
    while (out.size() < count) {
      out.add(next(rhythmTime(start, now), source));
    }
    out.sort(Comparator.comparing(e -> e.get("occurred_at").asText()));
    return out;
  }

  /** The stable pool of actor ids (e-mail addresses). */
  public List<String> actorIds() {
    List<String> ids = new ArrayList<>();
    for (Person p : people) {
      ids.add(p.id);
    }
    return ids;
  }

  // ------------------------------------------------------------------ stories

  private List<ObjectNode> bruteForce(Instant t, String source) {
    List<ObjectNode> out = new ArrayList<>();
    Person victim = person();
    String attackerIp = "203.0.113." + (200 + random.nextInt(50));
    JsonNode loc = WORLD.at("/attacker/location");
    JsonNode device = WORLD.at("/attacker/device");
    int attempts = 8 + random.nextInt(5);
    Instant at = t;
    for (int i = 0; i < attempts; i++) {
      at = at.plusMillis(900 + random.nextInt(4000));
      ObjectNode ev =
          event(
              "LOGIN_FAILED",
              at,
              source,
              victim,
              Map.of(
                  "login_method",
                  "PASSWORD",
                  "login_failure_code",
                  "INCORRECT_PASSWORD",
                  "login_previous_failed_attempts",
                  i));
      actorFrom(ev, attackerIp, device, loc);
      tags(ev).add("story:brute-force");
      out.add(ev);
    }
    at = at.plusMillis(150);
    ObjectNode multi =
        event(
            "MULTIPLE_LOGIN_FAILED",
            at,
            source,
            victim,
            Map.of(
                "login_method",
                "PASSWORD",
                "login_failure_code",
                "TOO_MANY_ATTEMPTS",
                "login_previous_failed_attempts",
                attempts,
                "window_seconds",
                60));
    actorFrom(multi, attackerIp, device, loc);
    multi.put("severity", "error");
    tags(multi).add("story:brute-force");
    out.add(multi);
    at = at.plusMillis(40);
    ObjectNode lock =
        event(
            "ACCOUNT_LOCKOUT",
            at,
            source,
            victim,
            Map.of(
                "account_lock_status",
                "TEMPORARILY_LOCKED",
                "account_lock_duration",
                30,
                "account_lock_reason",
                "BRUTE_FORCE_ATTACK_DETECTED",
                "login_previous_failed_attempts",
                attempts));
    actorFrom(lock, attackerIp, device, loc);
    lock.put("severity", "error");
    lock.put("reason", attempts + " failed sign-ins from " + attackerIp + " within one minute");
    tags(lock).add("story:brute-force");
    out.add(lock);
    // the real user resets the password the next morning
    Instant morning = at.plus(Duration.ofHours(14));
    ObjectNode reset =
        event(
            "PASSWORD_RESET_REQUESTED", morning, source, victim, Map.of("reset_channel", "EMAIL"));
    tags(reset).add("story:brute-force");
    out.add(reset);
    ObjectNode changed =
        event(
            "PASSWORD_CHANGED",
            morning.plusSeconds(95),
            source,
            victim,
            Map.of("password_change_method", "RESET_LINK"));
    tags(changed).add("story:brute-force");
    out.add(changed);
    return out;
  }

  private List<ObjectNode> documentVerification(Instant t, String source) {
    List<ObjectNode> out = new ArrayList<>();
    Person provider = person();
    Person reviewer = person();
    String docId = docId();
    String file = "medical-license-" + (1000 + random.nextInt(9000)) + ".pdf";
    String request = "VR-" + (20000 + random.nextInt(80000));
    ObjectNode target =
        MAPPER.createObjectNode().put("type", "document").put("id", docId).put("name", file);
    Map<String, Object> doc =
        Map.of(
            "document_type",
            "PROVIDERS",
            "file_name",
            file,
            "mime_type",
            "application/pdf",
            "size_bytes",
            184_000 + random.nextInt(500_000),
            "document_version",
            1);
    Instant at = t;
    String[] steps = {
      "DOCUMENT_UPLOAD_INITIATED",
      "DOCUMENT_UPLOAD_COMPLETED",
      "DOCUMENT_METADATA_CREATED",
      "VERIFICATION_REQUEST_RECEIVED",
      "VERIFICATION_REQUEST_ASSIGNED",
      "VERIFICATION_REQUEST_IN_PROGRESS",
      "DOCUMENT_CONTENT_VIEWED",
      "DOCUMENT_VERIFICATION_PENDING",
      "DOCUMENT_UPLOAD_COMPLETED",
      "DOCUMENT_VERIFICATION_SUCCESSFUL"
    };
    long[] gaps = {0, 4, 2, 1, 1800, 2400, 60, 900, 86_400, 3600};
    for (int i = 0; i < steps.length; i++) {
      at = at.plusSeconds(gaps[i]);
      String type = steps[i];
      boolean byReviewer =
          type.startsWith("VERIFICATION_REQUEST_IN")
              || type.equals("DOCUMENT_CONTENT_VIEWED")
              || type.equals("DOCUMENT_VERIFICATION_PENDING")
              || type.equals("DOCUMENT_VERIFICATION_SUCCESSFUL");
      Map<String, Object> md = new LinkedHashMap<>();
      md.put("document_type", "PROVIDERS");
      if (type.startsWith("DOCUMENT_UPLOAD") || type.equals("DOCUMENT_METADATA_CREATED")) {
        md.putAll(doc);
        if (i == 8) {
          md.put("document_version", 2);
          md.put("file_name", file.replace(".pdf", "-signed.pdf"));
        }
      }
      if (type.contains("VERIFICATION")) {
        md.put("verification_request_id", request);
        md.put("assignee_id", reviewer.id);
      }
      ObjectNode ev = event(type, at, source, byReviewer ? reviewer : provider, md);
      ev.putArray("targets").add(target.deepCopy());
      if (type.equals("DOCUMENT_VERIFICATION_PENDING")) {
        ev.put("reason", "Signature page missing; provider asked to upload a signed copy");
      }
      tags(ev).add("story:document-verification");
      out.add(ev);
    }
    return out;
  }

  private List<ObjectNode> deployAndRollback(Instant t, String source) {
    List<ObjectNode> out = new ArrayList<>();
    Person dev = person();
    Person reviewer = person();
    int i = random.nextInt(REPOS.size());
    String repo = REPOS.get(i).asText();
    String service = SERVICES.get(i).asText();
    String sha = hex(40);
    int pr = 400 + random.nextInt(900);
    String prev = "v2." + (10 + random.nextInt(20)) + "." + random.nextInt(9);
    String version =
        prev.substring(0, prev.lastIndexOf('.') + 1)
            + (Integer.parseInt(prev.substring(prev.lastIndexOf('.') + 1)) + 1);
    String pipeline = "pl-" + (50000 + random.nextInt(40000));
    String incident = "INC-" + (3000 + random.nextInt(6000));
    Instant at = t;
    out.add(
        story(
            event(
                "CODE_COMMITTED",
                at,
                source,
                dev,
                Map.of(
                    "repository",
                    repo,
                    "commit_sha",
                    sha,
                    "branch",
                    "feature/claim-status-cache",
                    "files_changed",
                    7,
                    "lines_added",
                    182,
                    "lines_deleted",
                    41))));
    at = at.plusSeconds(3600 + random.nextInt(3600));
    out.add(
        story(
            event(
                "PULL_REQUEST_REVIEWED",
                at,
                source,
                reviewer,
                Map.of(
                    "repository",
                    repo,
                    "pull_request",
                    pr,
                    "review_decision",
                    "APPROVED",
                    "reviewer_id",
                    reviewer.id,
                    "commit_sha",
                    sha))));
    at = at.plusSeconds(600);
    out.add(
        story(
            event(
                "PULL_REQUEST_MERGED",
                at,
                source,
                dev,
                Map.of(
                    "repository", repo, "pull_request", pr, "commit_sha", sha, "branch", "main"))));
    Map<String, Object> dep =
        Map.of(
            "service",
            service,
            "environment",
            "production",
            "version",
            version,
            "previous_version",
            prev,
            "commit_sha",
            sha,
            "pipeline_id",
            pipeline,
            "strategy",
            "ROLLING");
    at = at.plusSeconds(900);
    out.add(story(event("DEPLOYMENT_STARTED", at, source, null, dep)));
    at = at.plusSeconds(420);
    Map<String, Object> ok = new LinkedHashMap<>(dep);
    ok.put("duration_ms", 418_000);
    out.add(story(event("DEPLOYMENT_SUCCEEDED", at, source, null, ok)));
    at = at.plusSeconds(1500);
    ObjectNode inc =
        event(
            "INCIDENT_OPENED",
            at,
            source,
            reviewer,
            Map.of(
                "incident_id",
                incident,
                "incident_priority",
                "P2",
                "service",
                service,
                "assignee_id",
                dev.id));
    inc.put("reason", "Error rate of " + service + " above 5% since " + version);
    out.add(story(inc));
    at = at.plusSeconds(300);
    ObjectNode sla =
        event(
            "SLA_BREACHED",
            at,
            source,
            null,
            Map.of(
                "sla_name",
                service + " availability 99.9%",
                "target_minutes",
                5,
                "actual_minutes",
                31,
                "incident_id",
                incident));
    out.add(story(sla));
    at = at.plusSeconds(240);
    ObjectNode rb =
        event(
            "DEPLOYMENT_ROLLED_BACK",
            at,
            source,
            dev,
            Map.of(
                "service",
                service,
                "environment",
                "production",
                "version",
                version,
                "previous_version",
                prev,
                "pipeline_id",
                pipeline,
                "failure_reason",
                "Cache key collision returned stale claim status",
                "incident_id",
                incident));
    out.add(story(rb));
    at = at.plusSeconds(900);
    out.add(
        story(
            event(
                "INCIDENT_RESOLVED",
                at,
                source,
                reviewer,
                Map.of(
                    "incident_id",
                    incident,
                    "incident_priority",
                    "P2",
                    "service",
                    service,
                    "duration_ms",
                    2_940_000))));
    return out;
  }

  private static ArrayNode tags(ObjectNode ev) {
    JsonNode t = ev.get("tags");
    return t instanceof ArrayNode ? (ArrayNode) t : ev.putArray("tags");
  }

  private static ObjectNode story(ObjectNode ev) {
    tags(ev).add("story:deploy-rollback");
    return ev;
  }

  private List<ObjectNode> refund(Instant t, String source) {
    List<ObjectNode> out = new ArrayList<>();
    Person agent = personIn("Customer Support");
    Person approver = personIn("Finance");
    String customer = customer();
    String order = "ORD-" + (700000 + random.nextInt(200000));
    String txn = "txn_" + hex(16);
    String ticket = "SUP-" + (40000 + random.nextInt(50000));
    String amount =
        (80 + random.nextInt(300)) + "." + String.format(Locale.ROOT, "%02d", random.nextInt(100));
    Instant at = t;
    out.add(
        event(
            "ORDER_PLACED",
            at,
            source,
            null,
            Map.of(
                "order_id",
                order,
                "item_count",
                2,
                "amount",
                amount,
                "currency",
                "USD",
                "customer_id",
                customer)));
    at = at.plusSeconds(3);
    out.add(
        event(
            "PAYMENT_COMPLETED",
            at,
            source,
            null,
            Map.of(
                "transaction_id",
                txn,
                "amount",
                amount,
                "currency",
                "USD",
                "payment_method",
                "CARD",
                "merchant_reference",
                order,
                "customer_id",
                customer)));
    at = at.plusSeconds(5 * 3600);
    out.add(
        event(
            "ORDER_FULFILLED",
            at,
            source,
            null,
            Map.of(
                "order_id",
                order,
                "item_count",
                2,
                "warehouse",
                "AUS-1",
                "duration_ms",
                17_400_000)));
    at = at.plusSeconds(1800);
    out.add(
        event(
            "SHIPMENT_DISPATCHED",
            at,
            source,
            null,
            Map.of(
                "order_id",
                order,
                "carrier",
                "UPS",
                "warehouse",
                "AUS-1",
                "tracking_number",
                "1Z" + hex(16).toUpperCase(Locale.ROOT))));
    at = at.plusSeconds(26 * 3600);
    ObjectNode created =
        event(
            "SUPPORT_TICKET_CREATED",
            at,
            source,
            agent,
            Map.of(
                "ticket_id",
                ticket,
                "channel",
                "PHONE",
                "priority",
                "HIGH",
                "customer_id",
                customer));
    created.put("reason", "Customer reports being charged twice for order " + order);
    out.add(created);
    at = at.plusSeconds(240);
    out.add(
        event(
            "SUPPORT_CUSTOMER_DATA_ACCESSED",
            at,
            source,
            agent,
            Map.of(
                "customer_id",
                customer,
                "access_reason",
                "Check payment history for ticket " + ticket,
                "ticket_id",
                ticket)));
    at = at.plusSeconds(300);
    out.add(
        event(
            "REFUND_REQUESTED",
            at,
            source,
            agent,
            Map.of(
                "transaction_id",
                "rf_" + hex(16),
                "original_transaction_id",
                txn,
                "amount",
                amount,
                "currency",
                "USD",
                "refund_reason",
                "DUPLICATE_CHARGE",
                "customer_id",
                customer)));
    at = at.plusSeconds(2 * 3600);
    out.add(
        event(
            "REFUND_ISSUED",
            at,
            source,
            approver,
            Map.of(
                "transaction_id",
                "rf_" + hex(16),
                "original_transaction_id",
                txn,
                "amount",
                amount,
                "currency",
                "USD",
                "refund_reason",
                "DUPLICATE_CHARGE",
                "approved_by",
                approver.id,
                "customer_id",
                customer,
                "payment_method",
                "CARD")));
    at = at.plusSeconds(600);
    out.add(
        event(
            "SUPPORT_TICKET_RESOLVED",
            at,
            source,
            agent,
            Map.of(
                "ticket_id",
                ticket,
                "resolution_code",
                "RESOLVED",
                "satisfaction_score",
                5,
                "duration_ms",
                9_540_000)));
    for (ObjectNode ev : out) {
      tags(ev).add("story:refund");
    }
    return out;
  }

  private List<ObjectNode> offboarding(Instant t, String source) {
    List<ObjectNode> out = new ArrayList<>();
    Person hr = personIn("People");
    Person it = personIn("IT");
    Person leaver = person();
    Instant at = t;
    ObjectNode off =
        event(
            "EMPLOYEE_OFFBOARDED",
            at,
            source,
            hr,
            Map.of(
                "employee_id",
                "E" + (10000 + random.nextInt(9000)),
                "department",
                leaver.department,
                "end_date",
                LocalDate.ofInstant(t, ZoneOffset.UTC).toString(),
                "offboarding_type",
                "VOLUNTARY",
                "equipment_returned",
                true));
    off.putArray("targets")
        .addObject()
        .put("type", "user")
        .put("id", leaver.id)
        .put("name", leaver.name);
    out.add(off);
    at = at.plusSeconds(1200);
    ObjectNode deprov =
        event(
            "ACCESS_DEPROVISIONED",
            at,
            source,
            it,
            Map.of(
                "employee_id",
                off.at("/metadata/employee_id").asText(),
                "systems",
                List.of("member-portal", "claims-api", "vpn", "email"),
                "accounts_disabled",
                4));
    deprov
        .putArray("targets")
        .addObject()
        .put("type", "user")
        .put("id", leaver.id)
        .put("name", leaver.name);
    out.add(deprov);
    at = at.plusSeconds(60);
    ObjectNode revoke =
        event(
            "ROLE_REVOKED", at, source, it, Map.of("role", "claims-approver", "scope", "org:acme"));
    revoke
        .putArray("targets")
        .addObject()
        .put("type", "user")
        .put("id", leaver.id)
        .put("name", leaver.name);
    out.add(revoke);
    for (ObjectNode ev : out) {
      tags(ev).add("story:offboarding");
    }
    return out;
  }

  // ------------------------------------------------------------------ event building

  private String pickType() {
    double r = random.nextDouble() * cumulative[cumulative.length - 1];
    for (int i = 0; i < cumulative.length; i++) {
      if (r < cumulative[i]) {
        return types.get(i);
      }
    }
    return types.get(types.size() - 1);
  }

  /**
   * Builds one event of {@code type}. {@code who} null picks an actor (a person, or a service for
   * machine-made types); {@code fixed} metadata values win over generated ones.
   */
  private ObjectNode event(
      String type, Instant at, String source, @Nullable Person who, Map<String, Object> fixed) {
    JsonNode schema = BuiltInCatalog.schema(type);
    String category = BuiltInCatalog.categoryOf(type);
    ObjectNode ev = MAPPER.createObjectNode();
    ev.put("occurred_at", RFC3339.format(at));
    ev.put("source", source);
    ev.put("type", type);
    ev.put("category", category);
    ev.put("outcome", BuiltInCatalog.defaultOutcome(type));
    ev.put("severity", BuiltInCatalog.defaultSeverity(type));
    Person person = who;
    ObjectNode actor = ev.putObject("actor");
    if (person == null && SERVICE_ACTOR_TYPES.contains(type)) {
      String svc = serviceFor(type);
      actor.put("type", "service").put("id", svc).put("name", svc);
      actor.put("ip", "10.20." + random.nextInt(8) + "." + (10 + random.nextInt(200)));
    } else {
      if (person == null) {
        person = person();
      }
      actor.put("type", "user").put("id", person.id).put("name", person.name).put("ip", person.ip);
      actor.put("user_agent", person.device.get("user_agent").asText());
      putDevice(actor, person.device);
      JsonNode o = person.office;
      actor
          .putObject("location")
          .put("country", o.get("country").asText())
          .put("region", o.get("region").asText())
          .put("city", o.get("city").asText())
          .put("latitude", o.get("latitude").asDouble())
          .put("longitude", o.get("longitude").asDouble());
      if (!category.equals("software_delivery") && !category.equals("backup")) {
        ev.put("session_id", sessionId(person, at));
      }
    }
    ev.put("request_id", "req_" + hex(20));

    ObjectNode md = MAPPER.createObjectNode();
    JsonNode mdSchema = schema.at("/properties/metadata");
    Set<String> required = new HashSet<>();
    mdSchema.path("required").forEach(n -> required.add(n.asText()));
    for (Iterator<Map.Entry<String, JsonNode>> it =
            mdSchema.path("properties").properties().iterator();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      if (fixed.containsKey(name)) {
        md.set(name, MAPPER.valueToTree(fixed.get(name)));
      } else if (required.contains(name) || random.nextDouble() < 0.8) {
        JsonNode v = value(type, name, e.getValue(), at, person, md);
        if (v != null) {
          md.set(name, v);
        }
      }
    }
    for (Map.Entry<String, Object> f : fixed.entrySet()) {
      if (!md.has(f.getKey())) {
        md.set(f.getKey(), MAPPER.valueToTree(f.getValue()));
      }
    }
    coherence(type, md, at);
    if (!md.isEmpty()) {
      ev.set("metadata", md);
    }
    targets(type, category, ev, md, person);
    changes(type, schema, ev);
    if (type.equals("SESSION_REFRESH") && md.has("session_id_new")) {
      ev.put("session_id", md.get("session_id_new").asText());
    }
    if (random.nextDouble() < 0.08) {
      ev.putArray("tags").add(category.replace('_', '-'));
    }
    return ev;
  }

  private void coherence(String type, ObjectNode md, Instant at) {
    if (md.has("session_start_time") || md.has("session_expiration_time")) {
      Instant start;
      if (type.equals("LOGIN_SUCCESSFUL") || type.equals("SESSION_REFRESH")) {
        start = at;
      } else if (type.equals("SESSION_EXPIRED")) {
        start = at.minusSeconds(8 * 3600);
      } else {
        start = at.minusSeconds(600 + random.nextInt(6000));
      }
      if (md.has("session_start_time")) {
        md.put("session_start_time", RFC3339.format(start));
      }
      if (md.has("session_expiration_time")) {
        md.put("session_expiration_time", RFC3339.format(start.plusSeconds(8 * 3600)));
      }
    }
    if (type.equals("LOGIN_SUCCESSFUL")
        || type.equals("LOGIN_ATTEMPT")
        || type.equals("UNUSUAL_LOGIN_LOCATION")) {
      md.put(
          "login_previous_failed_attempts", random.nextDouble() < 0.85 ? 0 : 1 + random.nextInt(2));
    }
    if (md.has("amount")
        && md.path("amount").isTextual()
        && md.get("amount").asText().startsWith("-")
        && !type.equals("BALANCE_ADJUSTED")) {
      md.put("amount", md.get("amount").asText().substring(1));
    }
    if (md.has("lines_added") && md.has("files_changed") && md.get("files_changed").asInt() == 0) {
      md.put("files_changed", 1);
    }
  }

  /**
   * A value for metadata member {@code name}: the schema's {@code const}, then the few members that
   * depend on the actor or the type, then the generator of world.json, then one derived from the
   * member's schema.
   */
  private JsonNode value(
      String type, String name, JsonNode ps, Instant at, @Nullable Person person, ObjectNode md) {
    if (ps.has("const")) {
      return ps.get("const");
    }
    switch (name) {
      case "login_previous_failed_attempts":
        return num(type.contains("FAILED") || type.contains("LOCKOUT") ? 1 + random.nextInt(5) : 0);
      case "otp_recipient":
        return text(
            "PHONE".equals(md.path("otp_medium").asText())
                ? "+1******" + (1000 + random.nextInt(9000))
                : person == null
                    ? "n***@" + DOMAIN
                    : person.id.charAt(0)
                        + "***"
                        + person.id.substring(person.id.indexOf('@') - 1));
      case "session_id_old":
        return text(sessionId(person, at.minusSeconds(3600)));
      case "usual_countries":
        return MAPPER
            .createArrayNode()
            .add(person == null ? "US" : person.office.get("country").asText());
      case "department":
        return text(person == null ? any(DEPARTMENTS) : person.department);
      case "amount":
      case "contract_value":
        return text(money(type));
      case "record_count":
        return num(type.endsWith("_VIEWED") ? 1 : 10 + random.nextInt(5000));
      case "filter":
        return MAPPER
            .createObjectNode()
            .put("type", "LOGIN_FAILED")
            .put("from", RFC3339.format(at.minusSeconds(86_400)));
      default:
        break;
    }
    if (LISTS.has(name)) {
      return list(name);
    }
    JsonNode generator = METADATA.get(name);
    return generator != null ? generate(generator, at) : generic(name, ps, at);
  }

  /** Evaluates a generator of world.json; its random draws happen in the order written. */
  private JsonNode generate(JsonNode g, Instant at) {
    if (g.isTextual()) {
      return text(template(g.asText(), at));
    }
    if (g.isNumber()) {
      return g;
    }
    if (g.has("one_of")) {
      return g.get("one_of").get(random.nextInt(g.get("one_of").size()));
    }
    if (g.has("pick")) {
      int[] weights = new int[g.get("weights").size()];
      for (int i = 0; i < weights.length; i++) {
        weights[i] = g.get("weights").get(i).asInt();
      }
      return g.get("pick").get(pickIndex(weights));
    }
    if (g.has("int")) {
      return num(g.get("int").get(0).asLong() + random.nextInt(g.get("int").get(1).asInt()));
    }
    throw new IllegalStateException("world.json: unknown generator " + g);
  }

  /** Expands the {@code {…}} placeholders of a world.json template, left to right. */
  private String template(String t, Instant at) {
    StringBuilder out = new StringBuilder(t.length() + 32);
    int from = 0;
    for (int open = t.indexOf('{'); open >= 0; open = t.indexOf('{', from)) {
      int close = t.indexOf('}', open);
      out.append(t, from, open);
      String[] p = t.substring(open + 1, close).split(" ");
      switch (p[0]) {
        case "int":
          out.append(Long.parseLong(p[1]) + random.nextInt(Integer.parseInt(p[2])));
          break;
        case "hex":
          out.append(hex(Integer.parseInt(p[1])));
          break;
        case "HEX":
          out.append(hex(Integer.parseInt(p[1])).toUpperCase(Locale.ROOT));
          break;
        case "any":
          out.append(any(WORLD.get(p[1])));
          break;
        case "someone":
          out.append(person().id);
          break;
        case "date":
          out.append(LocalDate.ofInstant(at, ZoneOffset.UTC));
          break;
        case "time":
          out.append(RFC3339.format(at.plusSeconds(Long.parseLong(p[1]))));
          break;
        default:
          throw new IllegalStateException("world.json: unknown placeholder {" + p[0] + "} in " + t);
      }
      from = close + 1;
    }
    return out.append(t, from, t.length()).toString();
  }

  private String any(JsonNode values) {
    return values.get(random.nextInt(values.size())).asText();
  }

  private JsonNode generic(String name, JsonNode ps, Instant at) {
    if (ps.has("enum")) {
      JsonNode values = ps.get("enum");
      return values.get(random.nextInt(values.size()));
    }
    String format = ps.path("format").asText("");
    if (format.equals("date-time")) {
      return text(RFC3339.format(at.plus(Duration.ofDays(1 + random.nextInt(90)))));
    }
    if (format.equals("date")) {
      return text(LocalDate.ofInstant(at, ZoneOffset.UTC).plusDays(random.nextInt(365)).toString());
    }
    JsonNode t = ps.path("type");
    String type = t.isArray() ? t.get(0).asText() : t.asText();
    switch (type) {
      case "integer":
        int min = ps.path("minimum").asInt(0);
        int max = ps.path("maximum").asInt(min + 100);
        return num(min + random.nextInt(Math.max(1, max - min + 1)));
      case "number":
        return MAPPER
            .getNodeFactory()
            .numberNode(ps.path("minimum").asDouble(0) + random.nextInt(10));
      case "boolean":
        return MAPPER.getNodeFactory().booleanNode(random.nextDouble() < 0.8);
      case "array":
        return list(name);
      case "object":
        return MAPPER.createObjectNode();
      default:
        return text(name.replace('_', '-') + "-" + (100 + random.nextInt(900)));
    }
  }

  private void targets(
      String type,
      String category,
      ObjectNode ev,
      ObjectNode md,
      @SuppressWarnings("UnusedVariable")
          @Nullable Person actor) { // kept for types whose target is the actor
    if (ev.has("targets")) {
      return;
    }
    ObjectNode t;
    switch (category) {
      case "user_access":
        if (!type.equals("ACCOUNT_LOCKOUT")) {
          return;
        }
        t = MAPPER.createObjectNode().put("type", "user").put("id", ev.at("/actor/id").asText());
        break;
      case "account_management":
        {
          Person p = person();
          t = MAPPER.createObjectNode().put("type", "user").put("id", p.id).put("name", p.name);
          break;
        }
      case "document":
        t =
            MAPPER
                .createObjectNode()
                .put("type", "document")
                .put("id", docId())
                .put("name", md.path("file_name").asText(any(DOC_NAMES) + ".pdf"));
        break;
      case "financial":
        t =
            MAPPER
                .createObjectNode()
                .put("type", "transaction")
                .put("id", md.path("transaction_id").asText("txn_" + hex(16)));
        break;
      case "data_access":
        {
          String cls = md.path("data_class").asText("PII");
          String kind =
              cls.equals("PHI")
                  ? "patient_record"
                  : cls.equals("PCI") ? "payment_card" : "member_record";
          t =
              MAPPER
                  .createObjectNode()
                  .put("type", kind)
                  .put(
                      "id",
                      cls.equals("PCI")
                          ? "card_" + hex(10)
                          : (cls.equals("PHI") ? "PAT-" : "MBR-")
                              + (100000 + random.nextInt(900000)));
          break;
        }
      case "configuration":
        t =
            MAPPER
                .createObjectNode()
                .put("type", type.startsWith("API_KEY") ? "api_key" : "service")
                .put(
                    "id",
                    md.path(type.startsWith("API_KEY") ? "key_id" : "component")
                        .asText(any(SERVICES)));
        break;
      case "software_delivery":
        t =
            md.has("service")
                ? MAPPER
                    .createObjectNode()
                    .put("type", "service")
                    .put("id", md.get("service").asText())
                : MAPPER
                    .createObjectNode()
                    .put("type", "repository")
                    .put("id", md.path("repository").asText(REPOS.get(0).asText()));
        break;
      case "vendor":
        t =
            MAPPER
                .createObjectNode()
                .put("type", "vendor")
                .put("id", md.path("vendor_id").asText("VND-100"));
        if (md.has("vendor_name")) {
          t.put("name", md.get("vendor_name").asText());
        }
        break;
      case "backup":
        t =
            MAPPER
                .createObjectNode()
                .put("type", "database")
                .put("id", md.path("system").asText("claims-db"));
        break;
      case "support":
        t =
            MAPPER
                .createObjectNode()
                .put("type", md.has("ticket_id") ? "ticket" : "customer")
                .put(
                    "id",
                    md.has("ticket_id")
                        ? md.get("ticket_id").asText()
                        : md.path("customer_id").asText(customer()));
        break;
      case "policy":
        t =
            MAPPER
                .createObjectNode()
                .put("type", "policy")
                .put("id", md.path("policy_id").asText("SEC-01"));
        break;
      case "operations":
        if (md.has("order_id")) {
          t = MAPPER.createObjectNode().put("type", "order").put("id", md.get("order_id").asText());
        } else if (md.has("incident_id")) {
          t =
              MAPPER
                  .createObjectNode()
                  .put("type", "incident")
                  .put("id", md.get("incident_id").asText());
        } else if (md.has("job_name")) {
          t = MAPPER.createObjectNode().put("type", "job").put("id", md.get("job_name").asText());
        } else {
          t = MAPPER.createObjectNode().put("type", "process").put("id", "proc-" + hex(6));
        }
        break;
      case "workforce":
        {
          Person p = person();
          t = MAPPER.createObjectNode().put("type", "user").put("id", p.id).put("name", p.name);
          break;
        }
      case "system":
        t = MAPPER.createObjectNode().put("type", "audit_log").put("id", "default");
        break;
      default:
        return;
    }
    ev.putArray("targets").add(t);
  }

  private void changes(String type, JsonNode schema, ObjectNode ev) {
    boolean wanted =
        schema.path("required").toString().contains("\"changes\"")
            || type.endsWith("_MODIFIED")
            || type.endsWith("_UPDATED")
            || type.endsWith("PERMISSIONS_CHANGED");
    if (!wanted) {
      return;
    }
    ArrayNode changes = ev.putArray("changes");
    JsonNode known = WORLD.at("/changes/by_type").get(type);
    if (known != null) {
      known.forEach(c -> changes.add(c.deepCopy()));
    } else {
      JsonNode options = WORLD.at("/changes/otherwise_one_of");
      changes.add(options.get(random.nextInt(options.size())).deepCopy());
    }
  }

  // ------------------------------------------------------------------ sizing

  private ObjectNode fit(ObjectNode ev, int approxBytes) {
    ObjectNode md = ev.has("metadata") ? (ObjectNode) ev.get("metadata") : ev.putObject("metadata");
    md.put("details", "");
    int size = size(ev);
    // too big already: drop optional parts, least informative first
    String[][] droppable = {
      {"tags"},
      {"request_id"},
      {"actor", "user_agent"},
      {"actor", "device"},
      {"actor", "location"},
      {"session_id"},
      {"reason"}
    };
    for (String[] path : droppable) {
      if (size <= approxBytes) {
        break;
      }
      ObjectNode parent = path.length == 1 ? ev : (ObjectNode) ev.get(path[0]);
      if (parent != null) {
        parent.remove(path[path.length - 1]);
      }
      size = size(ev);
    }
    int pad = approxBytes - size;
    if (pad <= 0) {
      md.remove("details");
      return ev;
    }
    md.put("details", filler(pad));
    return ev;
  }

  private String filler(int length) {
    StringBuilder sb = new StringBuilder(length + 16);
    int word = random.nextInt(WORDS.length);
    while (sb.length() < length) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(WORDS[word++ % WORDS.length]);
    }
    sb.setLength(length);
    if (sb.charAt(length - 1) == ' ') {
      sb.setCharAt(length - 1, '.');
    }
    return sb.toString();
  }

  /** Size in bytes of the compact UTF-8 JSON of an event. */
  public static int size(JsonNode event) {
    try {
      return MAPPER.writeValueAsString(event).getBytes(StandardCharsets.UTF_8).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ helpers

  private void actorFrom(ObjectNode ev, String ip, JsonNode device, JsonNode location) {
    ObjectNode actor = (ObjectNode) ev.get("actor");
    actor.put("ip", ip).put("user_agent", device.get("user_agent").asText());
    putDevice(actor, device);
    actor.set("location", location.deepCopy());
    ev.remove("session_id");
  }

  private Person person() {
    return people.get(random.nextInt(people.size()));
  }

  private Person personIn(String department) {
    for (int i = 0; i < 100; i++) {
      Person p = person();
      if (p.department.equals(department)) {
        return p;
      }
    }
    return person();
  }

  private static String serviceFor(String type) {
    for (JsonNode prefix : WORLD.get("service_actor_by_prefix")) {
      if (type.startsWith(prefix.get(0).asText())) {
        return prefix.get(1).asText();
      }
    }
    return WORLD.get("service_actor_default").asText();
  }

  private static void putDevice(ObjectNode actor, JsonNode d) {
    actor
        .putObject("device")
        .put("type", d.get("type").asText())
        .put("model", d.get("model").asText())
        .put("browser", d.get("browser").asText())
        .put("os", d.get("os").asText())
        .put("os_version", d.get("os_version").asText());
  }

  private String sessionId(@Nullable Person p, Instant at) {
    if (p == null) {
      return "sess_" + hex(24);
    }
    long day = at.getEpochSecond() / 86_400;
    long h = (p.id.hashCode() * 1_000_003L) ^ (day * 0x9E3779B97F4A7C15L);
    return "sess_"
        + String.format(Locale.ROOT, "%016x", h)
        + String.format(Locale.ROOT, "%08x", (int) (h >>> 17));
  }

  private String docId() {
    return "DOC-2024-" + String.format(Locale.ROOT, "%06d", random.nextInt(1_000_000));
  }

  private String customer() {
    return "CUST-" + (100000 + random.nextInt(900000));
  }

  private String money(String type) {
    int units;
    if (type.startsWith("VENDOR")) {
      units = 10_000 + random.nextInt(490_000);
    } else if (type.equals("FUNDS_TRANSFERRED") || type.equals("TRANSFER_FAILED")) {
      units = 500 + random.nextInt(50_000);
    } else {
      units = 5 + random.nextInt(600);
    }
    String sign = type.equals("BALANCE_ADJUSTED") && random.nextBoolean() ? "-" : "";
    return sign + units + "." + String.format(Locale.ROOT, "%02d", random.nextInt(100));
  }

  private JsonNode list(String name) {
    ArrayNode a = MAPPER.createArrayNode();
    JsonNode items = LISTS.get(name);
    if (items == null) {
      return a.add(name + "-1");
    }
    for (JsonNode item : items) {
      if (!item.has("maybe")) {
        a.add(item);
      } else if (random.nextBoolean()) {
        a.add(item.get("maybe"));
      }
    }
    return a;
  }

  private int pickIndex(int[] weights) {
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    int r = random.nextInt(total);
    for (int i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  private String hex(int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(Character.forDigit(random.nextInt(16), 16));
    }
    return sb.toString();
  }

  private static JsonNode text(String s) {
    return MAPPER.getNodeFactory().textNode(s);
  }

  private static JsonNode num(long n) {
    return MAPPER.getNodeFactory().numberNode(n);
  }

  /** A time in [start, now) drawn with a working-week rhythm (busy 08-18 UTC on weekdays). */
  private Instant rhythmTime(Instant start, Instant now) {
    long span = Duration.between(start, now).toSeconds();
    for (int i = 0; i < 50; i++) {
      Instant t = start.plusSeconds((long) (random.nextDouble() * span));
      ZonedDateTime z = t.atZone(ZoneOffset.UTC);
      int hour = z.getHour();
      boolean weekend =
          z.getDayOfWeek() == DayOfWeek.SATURDAY || z.getDayOfWeek() == DayOfWeek.SUNDAY;
      double p = hour >= 8 && hour < 18 ? 1.0 : hour >= 6 && hour < 21 ? 0.35 : 0.08;
      if (weekend) {
        p *= 0.25;
      }
      if (random.nextDouble() < p) {
        return t.plusMillis(random.nextInt(1000));
      }
    }
    return start.plusSeconds((long) (random.nextDouble() * span));
  }

  /** A time on day {@code dayIndex} (0 = oldest) of the window, during working hours. */
  private Instant workTime(Instant start, Instant now, int dayIndex) {
    Instant day = start.plus(Duration.ofDays(dayIndex));
    Instant t =
        day.atZone(ZoneOffset.UTC)
            .withHour(9 + random.nextInt(5))
            .withMinute(random.nextInt(60))
            .withSecond(random.nextInt(60))
            .toInstant();
    Instant latest = now.minus(Duration.ofHours(36));
    return t.isAfter(latest) ? latest.minus(Duration.ofHours(random.nextInt(12))) : t;
  }
}
