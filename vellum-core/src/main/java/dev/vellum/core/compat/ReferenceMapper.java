package dev.vellum.core.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.catalog.BuiltInCatalog;
import dev.vellum.core.event.FieldError;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Maps the flat, lower-case payload of the reference AWS audit design ({@code POST /audit/store})
 * onto Vellum's canonical event. Pure: no I/O besides the built-in catalogue on the classpath, no
 * clock, no randomness; thread-safe.
 *
 * <p>The full mapping table is in {@code docs/reference-compatibility.md}. In short: {@code
 * initiatorsystemcode → source}, {@code eventtype → type} (+ {@code category}, and the default
 * {@code outcome} and {@code severity} of the type), {@code requestorid/requestorip → actor.id/ip},
 * {@code timestamp} (epoch milliseconds) {@code → occurred_at}, {@code device* → actor.device},
 * {@code location → actor.location}, {@code sessionid → session_id}, {@code relatedeventid →
 * related_event_id}, {@code documentid → targets[0]} and the rest into snake_case {@code metadata}
 * members. The result has no {@code id}: the server assigns one.
 *
 * <p>All problems are reported, each with the JSON pointer of the reference field. JSON {@code
 * null} and the empty string count as "absent" for optional fields (producers of the reference
 * design often send them for unused fields); for required fields they are "missing".
 */
public final class ReferenceMapper {

  public static final List<String> LOGIN_METHODS = List.of("PASSWORD", "SSO", "MFA");
  public static final List<String> LOGIN_FAILURE_CODES =
      List.of(
          "USERNAME_NOT_FOUND",
          "INCORRECT_PASSWORD",
          "ACCOUNT_LOCKED",
          "ACCOUNT_DISABLED",
          "ACCOUNT_EXPIRED",
          "MFA_FAILED",
          "MFA_REQUIRED",
          "PASSWORD_EXPIRED",
          "UNAUTHORIZED_IP",
          "UNAUTHORIZED_DEVICE",
          "UNAUTHORIZED_LOCATION",
          "SESSION_EXPIRED",
          "TOO_MANY_ATTEMPTS",
          "CAPTCHA_REQUIRED",
          "CAPTCHA_FAILED",
          "INVALID_SESSION",
          "PASSWORD_REUSE_DETECTED",
          "PASSWORD_COMPLEXITY_FAILED",
          "SOCIAL_AUTH_FAILED",
          "SSO_AUTH_FAILED");
  public static final List<String> OTP_PURPOSES =
      List.of("LOGIN", "REGISTRATION", "PASSWORD_CHANGE");
  public static final List<String> OTP_MEDIUMS = List.of("EMAIL", "PHONE");
  public static final List<String> OTP_VALIDATION_FAILURE_CODES =
      List.of("INVALID_OTP", "EXPIRED_OTP", "OTP_NOT_FOUND");
  public static final List<String> ACCOUNT_LOCK_STATUSES =
      List.of(
          "UNLOCKED",
          "LOCKED",
          "TEMPORARILY_LOCKED",
          "PERMANENTLY_LOCKED",
          "LOCKED_DUE_TO_ADMIN",
          "LOCKED_DUE_TO_SUSPICIOUS_ACTIVITY",
          "LOCKED_DUE_TO_COMPLIANCE",
          "LOCKED_DUE_TO_PASSWORD_EXPIRY",
          "LOCKED_DUE_TO_INACTIVE_STATUS",
          "LOCKED_DUE_TO_MFA_FAILURE",
          "LOCKED_PENDING_VERIFICATION",
          "LOCKED_DUE_TO_FRAUD_DETECTION");
  public static final List<String> ACCOUNT_LOCK_REASONS =
      List.of(
          "TOO_MANY_FAILED_LOGINS",
          "SUSPICIOUS_ACTIVITY",
          "ADMINISTRATIVE_ACTION",
          "FRAUD_PREVENTION",
          "ACCOUNT_RECOVERY_PROCESS",
          "BRUTE_FORCE_ATTACK_DETECTED",
          "SECURITY_POLICY_VIOLATION",
          "PASSWORD_EXPIRATION",
          "DEVICE_COMPROMISE",
          "ACCOUNT_SUSPENSION");
  public static final List<String> DOCUMENT_TYPES = List.of("PROVIDERS", "INSURANCE", "BILLING");

  /**
   * Event types of the reference design: the user-access types (with the account and password
   * management types its API accepts, SupportedEventTypes in the reference's helpers/utils.ts) and
   * the document types.
   */
  public static final List<String> EVENT_TYPES =
      List.of(
          "LOGIN_ATTEMPT",
          "LOGIN_SUCCESSFUL",
          "LOGIN_FAILED",
          "MULTIPLE_LOGIN_FAILED",
          "UNUSUAL_LOGIN_LOCATION",
          "ACCOUNT_LOCKOUT",
          "LOGOUT_SUCCESSFUL",
          "SESSION_REFRESH",
          "SESSION_EXPIRED",
          "OTP_GENERATED",
          "OTP_SENT",
          "OTP_VALIDATION_SUCCESS",
          "OTP_VALIDATION_FAILED",
          "USER_ACCOUNT_CREATED",
          "USER_ACCOUNT_MODIFIED",
          "USER_ACCOUNT_DELETED",
          "ROLE_ASSIGNED",
          "ROLE_REVOKED",
          "PASSWORD_CHANGED",
          "PASSWORD_CHANGE_FAILED",
          "PASSWORD_RESET_REQUESTED",
          "DOCUMENT_UPLOAD_INITIATED",
          "DOCUMENT_UPLOAD_COMPLETED",
          "DOCUMENT_UPLOAD_FAILED",
          "DOCUMENT_METADATA_CREATED",
          "DOCUMENT_METADATA_UPDATED",
          "DOCUMENT_METADATA_DELETED",
          "DOCUMENT_CONTENT_VIEWED",
          "DOCUMENT_METADATA_VIEWED",
          "DOCUMENT_DOWNLOADED",
          "DOCUMENT_MODIFIED",
          "DOCUMENT_DELETION_REQUESTED",
          "DOCUMENT_DELETED",
          "DOCUMENT_ARCHIVED",
          "DOCUMENT_RESTORED",
          "DOCUMENT_REDACTION_REQUESTED",
          "DOCUMENT_REDACTED",
          "DOCUMENT_ACCESS_GRANTED",
          "DOCUMENT_ACCESS_REVOKED",
          "DOCUMENT_PERMISSIONS_CHANGED",
          "DOCUMENT_SHARING_ENABLED",
          "DOCUMENT_SHARING_DISABLED",
          "DOCUMENT_INTEGRITY_CHECKED",
          "DOCUMENT_INTEGRITY_FAILED",
          "VERIFICATION_REQUEST_RECEIVED",
          "VERIFICATION_REQUEST_ASSIGNED",
          "VERIFICATION_REQUEST_IN_PROGRESS",
          "VERIFICATION_REQUEST_FAILED",
          "DOCUMENT_VERIFICATION_SUCCESSFUL",
          "DOCUMENT_VERIFICATION_FAILED",
          "DOCUMENT_VERIFICATION_PENDING");

  /** Fields that must be present (non-null, non-empty). */
  public static final List<String> REQUIRED_FIELDS =
      List.of("initiatorsystemcode", "requestorid", "requestorip", "eventtype", "timestamp");

  /** Every top-level field the reference design accepts. */
  public static final List<String> FIELDS =
      List.of(
          "initiatorsystemcode",
          "eventtype",
          "requestorid",
          "requestorip",
          "timestamp",
          "devicetype",
          "devicemodel",
          "devicebrowsername",
          "deviceosname",
          "deviceosversion",
          "otppurpose",
          "otpmedium",
          "otpexpirationtime",
          "otprecipient",
          "otpvalidationfailurecode",
          "relatedeventid",
          "loginmethod",
          "loginfailurecode",
          "loginpreviousfailedattempts",
          "sessionid",
          "sessionstarttime",
          "sessionexpirationtime",
          "sessionidold",
          "sessionstarttimeold",
          "sessionexpirationtimeold",
          "sessionidnew",
          "sessionstarttimenew",
          "sessionexpirationtimenew",
          "accountlockstatus",
          "accountlockduration",
          "accountlockreason",
          "location",
          "documentid",
          "documenttype");

  /** Members of the {@code location} object. */
  public static final List<String> LOCATION_FIELDS =
      List.of("country", "region", "city", "latitude", "longitude");

  private static final Set<String> FIELD_SET = Set.copyOf(FIELDS);
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  private static final Pattern ISO_DURATION =
      Pattern.compile(
          "P(?=\\d|T\\d)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?");
  private static final Pattern NUMBER = Pattern.compile("-?[0-9]{1,3}(\\.[0-9]{1,12})?");

  /** Largest epoch-millisecond value accepted: 9999-12-31T23:59:59.999Z. */
  private static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;

  private static final DateTimeFormatter RFC3339_MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Reference field → canonical JSON pointer it is written to. */
  private static final Map<String, String> TARGET_POINTERS = new LinkedHashMap<>();

  static {
    TARGET_POINTERS.put("initiatorsystemcode", "/source");
    TARGET_POINTERS.put("eventtype", "/type");
    TARGET_POINTERS.put("requestorid", "/actor/id");
    TARGET_POINTERS.put("requestorip", "/actor/ip");
    TARGET_POINTERS.put("timestamp", "/occurred_at");
    TARGET_POINTERS.put("devicetype", "/actor/device/type");
    TARGET_POINTERS.put("devicemodel", "/actor/device/model");
    TARGET_POINTERS.put("devicebrowsername", "/actor/device/browser");
    TARGET_POINTERS.put("deviceosname", "/actor/device/os");
    TARGET_POINTERS.put("deviceosversion", "/actor/device/os_version");
    TARGET_POINTERS.put("otppurpose", "/metadata/otp_purpose");
    TARGET_POINTERS.put("otpmedium", "/metadata/otp_medium");
    TARGET_POINTERS.put("otpexpirationtime", "/metadata/otp_expiration_time");
    TARGET_POINTERS.put("otprecipient", "/metadata/otp_recipient");
    TARGET_POINTERS.put("otpvalidationfailurecode", "/metadata/otp_validation_failure_code");
    TARGET_POINTERS.put("relatedeventid", "/related_event_id");
    TARGET_POINTERS.put("loginmethod", "/metadata/login_method");
    TARGET_POINTERS.put("loginfailurecode", "/metadata/login_failure_code");
    TARGET_POINTERS.put("loginpreviousfailedattempts", "/metadata/login_previous_failed_attempts");
    TARGET_POINTERS.put("sessionid", "/session_id");
    TARGET_POINTERS.put("sessionstarttime", "/metadata/session_start_time");
    TARGET_POINTERS.put("sessionexpirationtime", "/metadata/session_expiration_time");
    TARGET_POINTERS.put("sessionidold", "/metadata/session_id_old");
    TARGET_POINTERS.put("sessionstarttimeold", "/metadata/session_start_time_old");
    TARGET_POINTERS.put("sessionexpirationtimeold", "/metadata/session_expiration_time_old");
    TARGET_POINTERS.put("sessionidnew", "/metadata/session_id_new");
    TARGET_POINTERS.put("sessionstarttimenew", "/metadata/session_start_time_new");
    TARGET_POINTERS.put("sessionexpirationtimenew", "/metadata/session_expiration_time_new");
    TARGET_POINTERS.put("accountlockstatus", "/metadata/account_lock_status");
    TARGET_POINTERS.put("accountlockduration", "/metadata/account_lock_duration");
    TARGET_POINTERS.put("accountlockreason", "/metadata/account_lock_reason");
    TARGET_POINTERS.put("location", "/actor/location");
    TARGET_POINTERS.put("documentid", "/targets/0/id");
    TARGET_POINTERS.put("documenttype", "/metadata/document_type");
  }

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  public ReferenceMapper() {}

  /**
   * The reference field (as a JSON pointer such as {@code /requestorip}) whose value ended up at a
   * canonical pointer, or null when no reference field maps there. Lets a server name the client's
   * field when a schema check of the mapped event fails.
   */
  public static @Nullable String referenceFieldFor(String canonicalPointer) {
    if (canonicalPointer == null) {
      return null;
    }
    String best = null;
    int bestLen = -1;
    for (Map.Entry<String, String> e : TARGET_POINTERS.entrySet()) {
      String p = e.getValue();
      if ((canonicalPointer.equals(p) || canonicalPointer.startsWith(p + "/"))
          && p.length() > bestLen) {
        best = "/" + e.getKey();
        bestLen = p.length();
      }
    }
    if (best == null && canonicalPointer.startsWith("/session_id")) {
      return "/sessionid";
    }
    if (best == null
        && (canonicalPointer.equals("/targets") || canonicalPointer.startsWith("/targets/"))) {
      return "/documentid";
    }
    return best;
  }

  /** Maps one flat reference payload; never throws for bad input, reports it instead. */
  public MappingResult map(ObjectNode flatBody) {
    List<FieldError> errors = new ArrayList<>();
    if (flatBody == null) {
      errors.add(new FieldError("", "the body must be a JSON object"));
      return MappingResult.failure(errors);
    }
    Ctx c = new Ctx(flatBody, errors);

    for (Iterator<String> it = flatBody.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!FIELD_SET.contains(name)) {
        errors.add(
            new FieldError(
                pointer(name),
                "unknown field '"
                    + name
                    + "': not part of the reference audit payload (field names are lower case, e.g. requestorid)"));
      }
    }
    for (String r : REQUIRED_FIELDS) {
      if (absent(flatBody.get(r))) {
        errors.add(new FieldError(pointer(r), "required field '" + r + "' is missing"));
      }
    }

    String source = c.string("initiatorsystemcode", 128);
    String type = c.enumValue("eventtype", EVENT_TYPES);
    String actorId = c.string("requestorid", 256);
    String ip = c.ipv4("requestorip");
    String occurredAt = c.epochMillis("timestamp");

    ObjectNode device = F.objectNode();
    c.putString(device, "type", "devicetype", 64);
    c.putString(device, "model", "devicemodel", 128);
    c.putString(device, "browser", "devicebrowsername", 128);
    c.putString(device, "os", "deviceosname", 128);
    c.putString(device, "os_version", "deviceosversion", 64);
    ObjectNode location = c.location("location");

    ObjectNode md = F.objectNode();
    c.putEnum(md, "login_method", "loginmethod", LOGIN_METHODS);
    c.putEnum(md, "login_failure_code", "loginfailurecode", LOGIN_FAILURE_CODES);
    c.putCount(md, "login_previous_failed_attempts", "loginpreviousfailedattempts");
    c.putEnum(md, "otp_purpose", "otppurpose", OTP_PURPOSES);
    c.putEnum(md, "otp_medium", "otpmedium", OTP_MEDIUMS);
    c.putTime(md, "otp_expiration_time", "otpexpirationtime");
    c.putString(md, "otp_recipient", "otprecipient", 256);
    c.putEnum(
        md,
        "otp_validation_failure_code",
        "otpvalidationfailurecode",
        OTP_VALIDATION_FAILURE_CODES);
    c.putTime(md, "session_start_time", "sessionstarttime");
    c.putTime(md, "session_expiration_time", "sessionexpirationtime");
    c.putString(md, "session_id_old", "sessionidold", 256);
    c.putTime(md, "session_start_time_old", "sessionstarttimeold");
    c.putTime(md, "session_expiration_time_old", "sessionexpirationtimeold");
    c.putString(md, "session_id_new", "sessionidnew", 256);
    c.putTime(md, "session_start_time_new", "sessionstarttimenew");
    c.putTime(md, "session_expiration_time_new", "sessionexpirationtimenew");
    c.putEnum(md, "account_lock_status", "accountlockstatus", ACCOUNT_LOCK_STATUSES);
    c.putDuration(md, "account_lock_duration", "accountlockduration");
    c.putEnum(md, "account_lock_reason", "accountlockreason", ACCOUNT_LOCK_REASONS);
    // the reference's document types are lower case (providers, insurance, billing); the
    // catalogue's enum is upper case, so either spelling maps to the catalogue's value
    c.putEnumIgnoringCase(md, "document_type", "documenttype", DOCUMENT_TYPES);

    String sessionId = c.string("sessionid", 256);
    String relatedEventId = c.string("relatedeventid", 256);
    String documentId = c.string("documentid", 256);

    if (!errors.isEmpty()) {
      return MappingResult.failure(errors);
    }

    // eventtype is required: a null type has added an error above
    Objects.requireNonNull(type, "type");
    ObjectNode ev = F.objectNode();
    ev.put("occurred_at", occurredAt);
    ev.put("source", source);
    ev.put("type", type);
    ev.put("category", BuiltInCatalog.categoryOf(type));
    ev.put("outcome", BuiltInCatalog.defaultOutcome(type));
    ev.put("severity", severity(type, md));
    ObjectNode actor = ev.putObject("actor");
    actor.put("type", "user");
    actor.put("id", actorId);
    actor.put("ip", ip);
    if (!device.isEmpty()) {
      actor.set("device", device);
    }
    if (location != null && !location.isEmpty()) {
      actor.set("location", location);
    }
    if (documentId != null) {
      ev.putArray("targets").addObject().put("type", "document").put("id", documentId);
    }
    if (sessionId != null) {
      ev.put("session_id", sessionId);
    } else if (md.hasNonNull("session_id_new")) {
      ev.put("session_id", md.get("session_id_new").asText());
    }
    if (relatedEventId != null) {
      ev.put("related_event_id", relatedEventId);
    }
    if (!md.isEmpty()) {
      ev.set("metadata", md);
    }
    return MappingResult.success(ev);
  }

  /** The catalogue default, raised for the reference values that signal an attack or a breach. */
  static String severity(String type, ObjectNode md) {
    String severity = BuiltInCatalog.defaultSeverity(type);
    String lockReason = md.path("account_lock_reason").asText("");
    String lockStatus = md.path("account_lock_status").asText("");
    if (Set.of("BRUTE_FORCE_ATTACK_DETECTED", "FRAUD_PREVENTION", "DEVICE_COMPROMISE")
            .contains(lockReason)
        || "LOCKED_DUE_TO_FRAUD_DETECTION".equals(lockStatus)) {
      return "error";
    }
    String failure = md.path("login_failure_code").asText("");
    if (Set.of("UNAUTHORIZED_IP", "UNAUTHORIZED_DEVICE", "UNAUTHORIZED_LOCATION").contains(failure)
        && rank(severity) < rank("warning")) {
      return "warning";
    }
    return severity;
  }

  private static int rank(String severity) {
    return List.of("debug", "info", "notice", "warning", "error", "critical").indexOf(severity);
  }

  static boolean absent(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() || (n.isTextual() && n.asText().isEmpty());
  }

  static String pointer(String... segments) {
    StringBuilder sb = new StringBuilder();
    for (String s : segments) {
      sb.append('/').append(s.replace("~", "~0").replace("/", "~1"));
    }
    return sb.toString();
  }

  /** Formats epoch milliseconds as an RFC 3339 UTC timestamp with millisecond precision. */
  public static String formatMillis(long epochMillis) {
    return RFC3339_MILLIS.format(Instant.ofEpochMilli(epochMillis));
  }

  /** Per-call state: the body, the error list and the value checks. */
  private static final class Ctx {
    final ObjectNode body;
    final List<FieldError> errors;

    Ctx(ObjectNode body, List<FieldError> errors) {
      this.body = body;
      this.errors = errors;
    }

    @Nullable JsonNode value(String field) {
      JsonNode n = body.get(field);
      return absent(n) ? null : n;
    }

    @Nullable String string(String field, int maxLength) {
      return string(body.get(field), pointer(field), field, maxLength);
    }

    @Nullable String string(JsonNode n, String ptr, String field, int maxLength) {
      if (absent(n)) {
        return null;
      }
      if (!n.isTextual()) {
        errors.add(new FieldError(ptr, "'" + field + "' must be a string, not " + kind(n)));
        return null;
      }
      String s = n.asText();
      if (s.length() > maxLength) {
        errors.add(
            new FieldError(ptr, "'" + field + "' is longer than " + maxLength + " characters"));
        return null;
      }
      if (s.isBlank()) {
        errors.add(new FieldError(ptr, "'" + field + "' must not be blank"));
        return null;
      }
      return s;
    }

    void putString(ObjectNode into, String member, String field, int maxLength) {
      String s = string(field, maxLength);
      if (s != null) {
        into.put(member, s);
      }
    }

    @Nullable String enumValue(String field, List<String> allowed) {
      JsonNode n = value(field);
      if (n == null) {
        return null;
      }
      if (!n.isTextual()) {
        errors.add(
            new FieldError(pointer(field), "'" + field + "' must be a string, not " + kind(n)));
        return null;
      }
      String s = n.asText();
      if (!allowed.contains(s)) {
        errors.add(
            new FieldError(
                pointer(field),
                "'"
                    + field
                    + "' has value '"
                    + abbreviate(s)
                    + "', which is not one of "
                    + (allowed.size() <= 20
                        ? String.join(", ", allowed)
                        : String.join(", ", allowed.subList(0, 20)) + ", …")));
        return null;
      }
      return s;
    }

    void putEnum(ObjectNode into, String member, String field, List<String> allowed) {
      String s = enumValue(field, allowed);
      if (s != null) {
        into.put(member, s);
      }
    }

    void putEnumIgnoringCase(ObjectNode into, String member, String field, List<String> allowed) {
      JsonNode n = value(field);
      if (n != null && n.isTextual()) {
        String upper = n.asText().toUpperCase(java.util.Locale.ROOT);
        if (allowed.contains(upper)) {
          into.put(member, upper);
          return;
        }
      }
      putEnum(into, member, field, allowed);
    }

    @Nullable String ipv4(String field) {
      JsonNode n = value(field);
      if (n == null) {
        return null;
      }
      if (!n.isTextual()) {
        errors.add(
            new FieldError(pointer(field), "'" + field + "' must be a string, not " + kind(n)));
        return null;
      }
      String s = n.asText();
      if (!IPV4.matcher(s).matches()) {
        errors.add(
            new FieldError(
                pointer(field),
                "'"
                    + field
                    + "' must be an IPv4 address in dotted-decimal form, e.g. 203.0.113.7"));
        return null;
      }
      return s;
    }

    /** Epoch milliseconds as a digit string (or a JSON integer) → RFC 3339. */
    @Nullable String epochMillis(String field) {
      JsonNode n = value(field);
      if (n == null) {
        return null;
      }
      Long millis = millis(n);
      if (millis == null) {
        errors.add(
            new FieldError(
                pointer(field),
                "'"
                    + field
                    + "' must be the epoch time in milliseconds as a string of digits, e.g. \"1714555815250\""));
        return null;
      }
      if (millis > MAX_EPOCH_MILLIS) {
        errors.add(new FieldError(pointer(field), "'" + field + "' is after the year 9999"));
        return null;
      }
      return formatMillis(millis);
    }

    private @Nullable Long millis(JsonNode n) {
      if (n.isTextual() && DIGITS.matcher(n.asText()).matches()) {
        return Long.parseLong(n.asText());
      }
      if (n.isIntegralNumber() && n.canConvertToLong() && n.asLong() >= 0) {
        return n.asLong();
      }
      return null;
    }

    /**
     * A time field: epoch milliseconds (digits) or an ISO 8601 / RFC 3339 date-time (with offset;
     * without one it is taken as UTC) → RFC 3339 UTC with milliseconds.
     */
    void putTime(ObjectNode into, String member, String field) {
      JsonNode n = value(field);
      if (n == null) {
        return;
      }
      Long millis = millis(n);
      if (millis != null && millis <= MAX_EPOCH_MILLIS) {
        into.put(member, formatMillis(millis));
        return;
      }
      if (n.isTextual()) {
        Instant t = parseTime(n.asText().trim());
        if (t != null) {
          into.put(member, RFC3339_MILLIS.format(t));
          return;
        }
      }
      errors.add(
          new FieldError(
              pointer(field),
              "'"
                  + field
                  + "' is not a time: use epoch milliseconds as digits or an RFC 3339 date-time such as 2024-05-01T10:15:30Z"));
    }

    void putCount(ObjectNode into, String member, String field) {
      JsonNode n = value(field);
      if (n == null) {
        return;
      }
      Long v = millis(n);
      if (v == null || v > Integer.MAX_VALUE) {
        errors.add(
            new FieldError(pointer(field), "'" + field + "' must be a non-negative whole number"));
        return;
      }
      into.put(member, v.intValue());
    }

    void putDuration(ObjectNode into, String member, String field) {
      JsonNode n = value(field);
      if (n == null) {
        return;
      }
      Long v = millis(n);
      if (v != null) {
        into.put(member, v);
        return;
      }
      if (n.isTextual() && ISO_DURATION.matcher(n.asText()).matches()) {
        into.put(member, n.asText());
        return;
      }
      errors.add(
          new FieldError(
              pointer(field),
              "'"
                  + field
                  + "' must be a non-negative whole number (as digits) or an ISO 8601 duration such as PT30M"));
    }

    @Nullable ObjectNode location(String field) {
      JsonNode n = value(field);
      if (n == null) {
        return null;
      }
      if (!n.isObject()) {
        errors.add(
            new FieldError(
                pointer(field),
                "'"
                    + field
                    + "' must be an object with country, region, city, latitude, longitude, not "
                    + kind(n)));
        return null;
      }
      ObjectNode out = F.objectNode();
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!LOCATION_FIELDS.contains(name)) {
          errors.add(
              new FieldError(
                  pointer(field, name),
                  "unknown field '"
                      + name
                      + "' in location (allowed: "
                      + String.join(", ", LOCATION_FIELDS)
                      + ")"));
        }
      }
      for (String s : List.of("country", "region", "city")) {
        String v =
            string(n.get(s), pointer(field, s), field + "." + s, s.equals("country") ? 64 : 128);
        if (v != null) {
          out.put(s, v);
        }
      }
      coordinate(n, out, field, "latitude", 90);
      coordinate(n, out, field, "longitude", 180);
      return out;
    }

    private void coordinate(JsonNode loc, ObjectNode out, String field, String name, double limit) {
      JsonNode v = loc.get(name);
      if (absent(v)) {
        return;
      }
      Double d = null;
      if (v.isNumber()) {
        d = v.asDouble();
      } else if (v.isTextual() && NUMBER.matcher(v.asText().trim()).matches()) {
        d = Double.parseDouble(v.asText().trim());
      }
      if (d == null || d.isNaN() || Math.abs(d) > limit) {
        errors.add(
            new FieldError(
                pointer(field, name),
                "'"
                    + field
                    + "."
                    + name
                    + "' must be a number between -"
                    + (int) limit
                    + " and "
                    + (int) limit));
        return;
      }
      if (v.isNumber()) {
        out.set(name, v);
      } else {
        out.put(name, new java.math.BigDecimal(v.asText().trim()));
      }
    }
  }

  static @Nullable Instant parseTime(String s) {
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      return LocalDateTime.parse(s.replace(' ', 'T'), DateTimeFormatter.ISO_LOCAL_DATE_TIME)
          .toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      return OffsetDateTime.parse(s.replace(' ', 'T'), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .toInstant();
    } catch (DateTimeException e) {
      return null;
    }
  }

  static String kind(JsonNode n) {
    switch (n.getNodeType()) {
      case OBJECT:
        return "an object";
      case ARRAY:
        return "an array";
      case NUMBER:
        return "a number";
      case BOOLEAN:
        return "a boolean";
      case STRING:
        return "a string";
      default:
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }
}
