package dev.vellum.core.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import dev.vellum.core.catalog.BuiltInCatalog;
import dev.vellum.core.catalog.CatalogValidator;
import dev.vellum.core.event.FieldError;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ReferenceMapperTest {

  static final ObjectMapper M = new ObjectMapper();
  final ReferenceMapper mapper = new ReferenceMapper();

  static Stream<String> referenceTypes() {
    return ReferenceMapper.EVENT_TYPES.stream();
  }

  /** The fields every reference producer sends. */
  static ObjectNode base(String type) {
    ObjectNode b = M.createObjectNode();
    b.put("initiatorsystemcode", "PATIENT_PORTAL");
    b.put("eventtype", type);
    b.put("requestorid", "u-10482");
    b.put("requestorip", "198.51.100.23");
    b.put("timestamp", "1714555815250");
    b.put("devicetype", "mobile");
    b.put("devicemodel", "iPhone 14");
    b.put("devicebrowsername", "Safari");
    b.put("deviceosname", "iOS");
    b.put("deviceosversion", "17.4.1");
    b.putObject("location")
        .put("country", "US")
        .put("region", "Texas")
        .put("city", "Austin")
        .put("latitude", "30.2672")
        .put("longitude", -97.7431);
    return b;
  }

  /** A realistic payload of the reference design for each of its event types. */
  static ObjectNode realistic(String type) {
    ObjectNode b = base(type);
    switch (type) {
      case "LOGIN_ATTEMPT":
        b.put("loginmethod", "PASSWORD").put("loginpreviousfailedattempts", "0");
        break;
      case "LOGIN_SUCCESSFUL":
        b.put("loginmethod", "MFA")
            .put("sessionid", "s-8f2a91")
            .put("sessionstarttime", "1714555815300")
            .put("sessionexpirationtime", "1714559415300")
            .put("loginpreviousfailedattempts", "1");
        break;
      case "LOGIN_FAILED":
        b.put("loginmethod", "PASSWORD")
            .put("loginfailurecode", "INCORRECT_PASSWORD")
            .put("loginpreviousfailedattempts", "2");
        break;
      case "MULTIPLE_LOGIN_FAILED":
        b.put("loginmethod", "PASSWORD")
            .put("loginfailurecode", "TOO_MANY_ATTEMPTS")
            .put("loginpreviousfailedattempts", 5);
        break;
      case "UNUSUAL_LOGIN_LOCATION":
        b.put("loginmethod", "SSO").put("sessionid", "s-77a1");
        break;
      case "ACCOUNT_LOCKOUT":
        b.put("accountlockstatus", "TEMPORARILY_LOCKED")
            .put("accountlockduration", "30")
            .put("accountlockreason", "TOO_MANY_FAILED_LOGINS")
            .put("loginpreviousfailedattempts", "5")
            .put("relatedeventid", "0f5d0c7e-3f11-4c36-b1f5-4a7f0b5c9d21");
        break;
      case "LOGOUT_SUCCESSFUL":
      case "SESSION_EXPIRED":
        b.put("sessionid", "s-8f2a91")
            .put("sessionstarttime", "2024-05-01T09:30:15Z")
            .put("sessionexpirationtime", "2024-05-01T10:30:15.000+00:00");
        break;
      case "SESSION_REFRESH":
        b.put("sessionidold", "s-8f2a91")
            .put("sessionstarttimeold", "1714555815300")
            .put("sessionexpirationtimeold", "1714559415300")
            .put("sessionidnew", "s-9b3c02")
            .put("sessionstarttimenew", "1714559400000")
            .put("sessionexpirationtimenew", "1714563000000");
        break;
      case "OTP_GENERATED":
      case "OTP_SENT":
        b.put("otppurpose", "LOGIN")
            .put("otpmedium", "PHONE")
            .put("otpexpirationtime", "1714556115250")
            .put("otprecipient", "+1******4821");
        break;
      case "OTP_VALIDATION_SUCCESS":
        b.put("otppurpose", "REGISTRATION").put("otpmedium", "EMAIL");
        break;
      case "OTP_VALIDATION_FAILED":
        b.put("otppurpose", "PASSWORD_CHANGE")
            .put("otpmedium", "EMAIL")
            .put("otpvalidationfailurecode", "EXPIRED_OTP");
        break;
      default:
        b.put("documentid", "DOC-2024-000731")
            .put("documenttype", "INSURANCE")
            .put("sessionid", "s-8f2a91");
        break;
    }
    return b;
  }

  @ParameterizedTest
  @MethodSource("referenceTypes")
  void realisticPayloadMapsToASchemaValidEvent(String type) {
    MappingResult r = mapper.map(realistic(type));
    assertTrue(r.isSuccess(), type + ": " + r.errors());
    ObjectNode ev = r.event();
    assertFalse(ev.has("id"));
    List<Error> errors = CatalogValidator.validate(ev);
    assertTrue(errors.isEmpty(), type + ": " + CatalogValidator.describe(errors) + "\n" + ev);
    assertEquals(type, ev.get("type").asText());
    assertEquals(BuiltInCatalog.categoryOf(type), ev.get("category").asText());
    assertEquals("PATIENT_PORTAL", ev.get("source").asText());
    assertEquals("u-10482", ev.at("/actor/id").asText());
    assertEquals("198.51.100.23", ev.at("/actor/ip").asText());
    assertEquals("2024-05-01T09:30:15.250Z", ev.get("occurred_at").asText());
    assertEquals("iPhone 14", ev.at("/actor/device/model").asText());
    assertEquals("Safari", ev.at("/actor/device/browser").asText());
    assertEquals("Austin", ev.at("/actor/location/city").asText());
    assertEquals(30.2672, ev.at("/actor/location/latitude").asDouble(), 1e-9);
  }

  @ParameterizedTest
  @MethodSource("referenceTypes")
  void minimalPayloadMapsToASchemaValidEvent(String type) {
    ObjectNode b =
        M.createObjectNode()
            .put("initiatorsystemcode", "CRM")
            .put("eventtype", type)
            .put("requestorid", "svc")
            .put("requestorip", "10.0.0.1")
            .put("timestamp", "0");
    MappingResult r = mapper.map(b);
    assertTrue(r.isSuccess(), r.errors().toString());
    assertEquals("1970-01-01T00:00:00.000Z", r.event().get("occurred_at").asText());
    List<Error> errors = CatalogValidator.validate(r.event());
    assertTrue(errors.isEmpty(), CatalogValidator.describe(errors));
    assertFalse(r.event().has("metadata"));
  }

  @Test
  void outcomesFollowTheType() {
    assertEquals("failure", outcome("LOGIN_FAILED"));
    assertEquals("failure", outcome("MULTIPLE_LOGIN_FAILED"));
    assertEquals("failure", outcome("ACCOUNT_LOCKOUT"));
    assertEquals("failure", outcome("OTP_VALIDATION_FAILED"));
    assertEquals("failure", outcome("DOCUMENT_INTEGRITY_FAILED"));
    assertEquals("failure", outcome("VERIFICATION_REQUEST_FAILED"));
    assertEquals("success", outcome("LOGIN_SUCCESSFUL"));
    assertEquals("success", outcome("OTP_VALIDATION_SUCCESS"));
    assertEquals("success", outcome("DOCUMENT_DOWNLOADED"));
    assertEquals("unknown", outcome("LOGIN_ATTEMPT"));
    assertEquals("unknown", outcome("DOCUMENT_VERIFICATION_PENDING"));
    for (String t : ReferenceMapper.EVENT_TYPES) {
      String o = outcome(t);
      if (t.contains("FAILED") || t.contains("FAILURE")) {
        assertEquals("failure", o, t);
      }
    }
  }

  @Test
  void severityRaisedForAttacks() {
    ObjectNode b =
        realistic("ACCOUNT_LOCKOUT").put("accountlockreason", "BRUTE_FORCE_ATTACK_DETECTED");
    assertEquals("error", mapper.map(b).event().get("severity").asText());
    b = realistic("LOGIN_FAILED").put("loginfailurecode", "UNAUTHORIZED_IP");
    assertEquals("warning", mapper.map(b).event().get("severity").asText());
    assertEquals("notice", mapper.map(realistic("LOGIN_FAILED")).event().get("severity").asText());
  }

  @Test
  void mappingDetails() {
    ObjectNode ev = mapper.map(realistic("SESSION_REFRESH")).event();
    assertEquals("s-9b3c02", ev.get("session_id").asText());
    assertEquals("s-8f2a91", ev.at("/metadata/session_id_old").asText());
    assertEquals("2024-05-01T10:30:00.000Z", ev.at("/metadata/session_start_time_new").asText());
    ev = mapper.map(realistic("DOCUMENT_DOWNLOADED")).event();
    assertEquals("document", ev.at("/targets/0/type").asText());
    assertEquals("DOC-2024-000731", ev.at("/targets/0/id").asText());
    assertEquals("INSURANCE", ev.at("/metadata/document_type").asText());
    ev = mapper.map(realistic("ACCOUNT_LOCKOUT")).event();
    assertEquals(30, ev.at("/metadata/account_lock_duration").asInt());
    assertTrue(ev.at("/metadata/account_lock_duration").isIntegralNumber());
    assertEquals(5, ev.at("/metadata/login_previous_failed_attempts").asInt());
    assertEquals("0f5d0c7e-3f11-4c36-b1f5-4a7f0b5c9d21", ev.get("related_event_id").asText());
    ev = mapper.map(realistic("LOGOUT_SUCCESSFUL")).event();
    assertEquals("2024-05-01T10:30:15.000Z", ev.at("/metadata/session_expiration_time").asText());
    ObjectNode b = realistic("ACCOUNT_LOCKOUT").put("accountlockduration", "PT15M");
    assertEquals("PT15M", mapper.map(b).event().at("/metadata/account_lock_duration").asText());
    // empty strings and nulls in optional fields count as absent
    b = realistic("LOGIN_FAILED").put("devicemodel", "").put("otppurpose", "");
    b.putNull("documenttype");
    MappingResult r = mapper.map(b);
    assertTrue(r.isSuccess(), r.errors().toString());
    assertFalse(r.event().at("/actor/device").has("model"));
  }

  @Test
  void unknownFieldsAreNamed() {
    ObjectNode b = realistic("LOGIN_FAILED").put("eventType", "LOGIN_FAILED").put("user", "x");
    ((ObjectNode) b.get("location")).put("zip", "78701");
    assertErrors(b, "/eventType", "/user", "/location/zip");
  }

  @Test
  void missingRequiredFieldsAreAllReported() {
    MappingResult r = mapper.map(M.createObjectNode());
    assertFalse(r.isSuccess());
    assertEquals(
        Set.of("/initiatorsystemcode", "/requestorid", "/requestorip", "/eventtype", "/timestamp"),
        pointers(r));
    ObjectNode b = realistic("LOGIN_FAILED").put("requestorid", "");
    b.putNull("timestamp");
    assertErrors(b, "/requestorid", "/timestamp");
  }

  @Test
  void badEnumerationValuesAreNamed() {
    ObjectNode b =
        realistic("LOGIN_FAILED")
            .put("loginmethod", "password")
            .put("loginfailurecode", "WRONG_PASSWORD")
            .put("otppurpose", "SIGNUP")
            .put("otpmedium", "SMS")
            .put("otpvalidationfailurecode", "BAD")
            .put("accountlockstatus", "FROZEN")
            .put("accountlockreason", "BOREDOM")
            .put("documenttype", "MEDICAL");
    assertErrors(
        b,
        "/loginmethod",
        "/loginfailurecode",
        "/otppurpose",
        "/otpmedium",
        "/otpvalidationfailurecode",
        "/accountlockstatus",
        "/accountlockreason",
        "/documenttype");
    MappingResult r = mapper.map(realistic("LOGIN_FAILED").put("eventtype", "PAYMENT_COMPLETED"));
    assertEquals(Set.of("/eventtype"), pointers(r));
    assertTrue(r.errors().get(0).detail().contains("PAYMENT_COMPLETED"));
    assertEquals(
        Set.of("/eventtype"),
        pointers(mapper.map(realistic("LOGIN_FAILED").put("eventtype", "login_failed"))));
  }

  @Test
  void wrongTypesAndFormatsAreNamed() {
    ObjectNode b = realistic("LOGIN_SUCCESSFUL");
    b.put("requestorid", 10482);
    b.put("requestorip", "2001:db8::1");
    b.put("timestamp", "2024-05-01T09:30:15Z");
    b.put("sessionstarttime", "yesterday");
    b.put("otpexpirationtime", "2024-02-30T10:00:00Z");
    b.put("loginpreviousfailedattempts", "-1");
    b.put("devicetype", true);
    b.put("accountlockduration", "half an hour");
    b.putArray("sessionid").add("s-1");
    b.put("location", "Austin");
    assertErrors(
        b,
        "/requestorid",
        "/requestorip",
        "/timestamp",
        "/sessionstarttime",
        "/otpexpirationtime",
        "/loginpreviousfailedattempts",
        "/devicetype",
        "/accountlockduration",
        "/sessionid",
        "/location");
    b = realistic("LOGIN_SUCCESSFUL");
    ((ObjectNode) b.get("location")).put("latitude", "north").put("longitude", 200).put("city", 5);
    assertErrors(b, "/location/latitude", "/location/longitude", "/location/city");
    assertErrors(realistic("LOGIN_SUCCESSFUL").put("requestorip", "010.1.1.1"), "/requestorip");
    assertErrors(realistic("LOGIN_SUCCESSFUL").put("requestorip", "256.1.1.1"), "/requestorip");
    assertErrors(realistic("LOGIN_SUCCESSFUL").put("timestamp", "99999999999999999"), "/timestamp");
    assertErrors(realistic("LOGIN_SUCCESSFUL").put("timestamp", -5), "/timestamp");
    assertErrors(
        realistic("LOGIN_SUCCESSFUL").put("initiatorsystemcode", "x".repeat(200)),
        "/initiatorsystemcode");
  }

  @Test
  void timestampAsJsonIntegerIsAccepted() {
    MappingResult r = mapper.map(realistic("LOGIN_SUCCESSFUL").put("timestamp", 1714555815250L));
    assertTrue(r.isSuccess(), r.errors().toString());
    assertEquals("2024-05-01T09:30:15.250Z", r.event().get("occurred_at").asText());
  }

  @Test
  void nullBodyAndPointerEscaping() {
    assertEquals(
        List.of(new FieldError("", "the body must be a JSON object")), mapper.map(null).errors());
    ObjectNode b = realistic("LOGIN_FAILED").put("a/b~c", 1);
    assertErrors(b, "/a~1b~0c");
  }

  @Test
  void referenceFieldForCanonicalPointers() {
    assertEquals("/requestorip", ReferenceMapper.referenceFieldFor("/actor/ip"));
    assertEquals("/timestamp", ReferenceMapper.referenceFieldFor("/occurred_at"));
    assertEquals("/location", ReferenceMapper.referenceFieldFor("/actor/location/latitude"));
    assertEquals("/documenttype", ReferenceMapper.referenceFieldFor("/metadata/document_type"));
    assertEquals("/documentid", ReferenceMapper.referenceFieldFor("/targets/0/id"));
    assertEquals("/sessionid", ReferenceMapper.referenceFieldFor("/session_id"));
    assertNull(ReferenceMapper.referenceFieldFor("/tags"));
  }

  @Test
  void mapperEnumerationsMatchTheCatalogue() {
    JsonNode lf = BuiltInCatalog.schema("LOGIN_FAILED").at("/properties/metadata/properties");
    assertEquals(ReferenceMapper.LOGIN_FAILURE_CODES, list(lf.at("/login_failure_code/enum")));
    assertEquals(ReferenceMapper.LOGIN_METHODS, list(lf.at("/login_method/enum")));
    JsonNode lock = BuiltInCatalog.schema("ACCOUNT_LOCKOUT").at("/properties/metadata/properties");
    assertEquals(ReferenceMapper.ACCOUNT_LOCK_STATUSES, list(lock.at("/account_lock_status/enum")));
    assertEquals(ReferenceMapper.ACCOUNT_LOCK_REASONS, list(lock.at("/account_lock_reason/enum")));
    JsonNode otp =
        BuiltInCatalog.schema("OTP_VALIDATION_FAILED").at("/properties/metadata/properties");
    assertEquals(ReferenceMapper.OTP_PURPOSES, list(otp.at("/otp_purpose/enum")));
    assertEquals(ReferenceMapper.OTP_MEDIUMS, list(otp.at("/otp_medium/enum")));
    assertEquals(
        ReferenceMapper.OTP_VALIDATION_FAILURE_CODES,
        list(otp.at("/otp_validation_failure_code/enum")));
    JsonNode doc = BuiltInCatalog.schema("DOCUMENT_DELETED").at("/properties/metadata/properties");
    assertEquals(ReferenceMapper.DOCUMENT_TYPES, list(doc.at("/document_type/enum")));
    for (String t : ReferenceMapper.EVENT_TYPES) {
      assertTrue(
          Set.of("user_access", "document", "account_management")
              .contains(BuiltInCatalog.categoryOf(t)),
          t);
    }
    long expected =
        BuiltInCatalog.typeNames().stream()
            .filter(t -> Set.of("user_access", "document").contains(BuiltInCatalog.categoryOf(t)))
            .count();
    // every user-access and document type, plus the reference's account and password types
    assertEquals(expected + 8, ReferenceMapper.EVENT_TYPES.size());
  }

  static List<String> list(JsonNode arr) {
    return M.convertValue(
        arr, M.getTypeFactory().constructCollectionType(List.class, String.class));
  }

  String outcome(String type) {
    return mapper.map(realistic(type)).event().get("outcome").asText();
  }

  static Set<String> pointers(MappingResult r) {
    return r.errors().stream().map(FieldError::pointer).collect(Collectors.toSet());
  }

  void assertErrors(ObjectNode body, String... expected) {
    MappingResult r = mapper.map(body);
    assertFalse(r.isSuccess(), "expected errors for " + body);
    assertEquals(Set.of(expected), pointers(r), r.errors().toString());
    r.errors().forEach(e -> assertFalse(e.detail().isBlank()));
  }
}
