package dev.vellum.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.event.FieldError;
import dev.vellum.store.RecordStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A tenant's legal holds, stored as records of kind {@code legal-hold}: each covers the tenant's
 * archived events that match every criterion it names (source, actor id, target id, an {@code
 * occurred_at} range; none named: the whole tenant), and no archive file holding a covered event is
 * deleted while it exists. Releasing a hold deletes its record; the LEGAL_HOLD_PLACED and
 * LEGAL_HOLD_RELEASED events in the tenant's log are its history.
 */
public final class LegalHolds {
  public static final String KIND = "legal-hold";

  /** At most this many holds per tenant: each is checked against every file due for deletion. */
  public static final int MAX_PER_TENANT = 100;

  static final int MAX_REASON = 1000;
  static final int MAX_CASE = 200;
  static final int MAX_SOURCE = 128;
  static final int MAX_ID = 256;

  private static final Pattern SOURCE = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Set<String> FIELDS =
      Set.of("reason", "case_reference", "source", "actor_id", "target_id", "from", "to");

  /** One hold; null criteria match everything. {@code to} is exclusive. */
  public record Hold(
      String id,
      String reason,
      @Nullable String caseReference,
      @Nullable String source,
      @Nullable String actorId,
      @Nullable String targetId,
      @Nullable Instant from,
      @Nullable Instant to,
      String placedAt,
      @Nullable String placedBy) {

    /** Whether the file's manifest leaves room for a covered event (source, time overlap). */
    boolean mayCover(Manifest m) {
      if (source != null && !source.equals(m.source())) {
        return false;
      }
      Instant min = Instant.parse(m.minOccurredAt());
      Instant max = Instant.parse(m.maxOccurredAt());
      return (from == null || !max.isBefore(from)) && (to == null || min.isBefore(to));
    }

    /** Whether only the file's rows can tell (actor or target named). */
    boolean needsRows() {
      return actorId != null || targetId != null;
    }

    public ObjectNode toJson(ObjectMapper json) {
      ObjectNode o = json.createObjectNode();
      o.put("id", id);
      o.put("reason", reason);
      putIf(o, "case_reference", caseReference);
      putIf(o, "source", source);
      putIf(o, "actor_id", actorId);
      putIf(o, "target_id", targetId);
      putIf(o, "from", from == null ? null : from.toString());
      putIf(o, "to", to == null ? null : to.toString());
      o.put("placed_at", placedAt);
      putIf(o, "placed_by", placedBy);
      return o;
    }

    private static void putIf(ObjectNode o, String name, @Nullable String value) {
      if (value != null) {
        o.put(name, value);
      }
    }
  }

  private final RecordStore records;
  private final ObjectMapper json;
  private final Clock clock;

  public LegalHolds(RecordStore records, ObjectMapper json, Clock clock) {
    this.records = records;
    this.json = json;
    this.clock = clock;
  }

  /** Places a hold from a request body; throws {@link HoldProblem} naming each bad field. */
  public Hold place(String tenant, JsonNode body, @Nullable String placedBy) {
    Hold h = parse(body, placedBy);
    if (records.count(KIND, tenant, null) >= MAX_PER_TENANT) {
      throw new HoldProblem(
          HoldProblem.Kind.LIMIT,
          "tenant " + tenant + " has " + MAX_PER_TENANT + " legal holds, the most allowed",
          List.of());
    }
    long now = Archiver.micros(clock.instant());
    records.put(
        RecordStore.Entry.of(KIND, tenant, h.id(), h.toJson(json).toString(), now),
        RecordStore.ABSENT);
    return h;
  }

  /** The tenant's holds, in id order. */
  public List<Hold> list(String tenant) {
    List<Hold> out = new ArrayList<>();
    for (RecordStore.Entry e : records.list(KIND, tenant, null, "", MAX_PER_TENANT + 1)) {
      out.add(read(e));
    }
    return out;
  }

  public Optional<Hold> get(String tenant, String id) {
    if (id.isEmpty() || id.length() > RecordStore.MAX_KEY_LENGTH) {
      return Optional.empty();
    }
    return records.get(KIND, tenant, id).map(LegalHolds::read);
  }

  /**
   * Releases (deletes) the hold and answers it; {@link HoldProblem} NOT_FOUND if absent. {@code
   * recordRelease} runs first and must make the release durable in the tenant's log: if it fails,
   * the hold stays, so a hold never disappears without its LEGAL_HOLD_RELEASED event (a retried
   * release may record that event twice, which errs on the side of the record).
   */
  public Hold release(String tenant, String id, java.util.function.Consumer<Hold> recordRelease) {
    Hold h =
        get(tenant, id)
            .orElseThrow(
                () ->
                    new HoldProblem(
                        HoldProblem.Kind.NOT_FOUND,
                        "tenant " + tenant + " has no legal hold " + id,
                        List.of()));
    recordRelease.accept(h);
    records.delete(KIND, tenant, id);
    return h;
  }

  private Hold parse(JsonNode body, @Nullable String placedBy) {
    List<FieldError> errors = new ArrayList<>();
    if (body == null || !body.isObject()) {
      throw new HoldProblem(
          HoldProblem.Kind.INVALID,
          "a legal hold is a JSON object",
          List.of(new FieldError("", "must be an object")));
    }
    body.fieldNames()
        .forEachRemaining(
            f -> {
              if (!FIELDS.contains(f)) {
                errors.add(new FieldError("/" + f, "is not a member of a legal hold"));
              }
            });
    String reason = text(body, "reason", MAX_REASON, errors);
    if (reason == null && !body.has("reason")) {
      errors.add(new FieldError("/reason", "is required: why the hold exists"));
    }
    String caseRef = text(body, "case_reference", MAX_CASE, errors);
    String source = text(body, "source", MAX_SOURCE, errors);
    if (source != null && !SOURCE.matcher(source).matches()) {
      errors.add(new FieldError("/source", "must be a source code (letters, digits, _ . -)"));
    }
    String actor = text(body, "actor_id", MAX_ID, errors);
    String target = text(body, "target_id", MAX_ID, errors);
    Instant from = time(body, "from", errors);
    Instant to = time(body, "to", errors);
    if (from != null && to != null && !from.isBefore(to)) {
      errors.add(new FieldError("/to", "must be after from"));
    }
    if (!errors.isEmpty() || reason == null) {
      throw new HoldProblem(HoldProblem.Kind.INVALID, "the legal hold is not valid", errors);
    }
    return new Hold(
        "hold-" + UUID.randomUUID(),
        reason,
        caseRef,
        source,
        actor,
        target,
        from,
        to,
        clock.instant().toString(),
        placedBy);
  }

  private static @Nullable String text(
      JsonNode body, String name, int max, List<FieldError> errors) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      errors.add(new FieldError("/" + name, "must be a non-empty string"));
      return null;
    }
    if (v.asText().length() > max) {
      errors.add(new FieldError("/" + name, "must be at most " + max + " characters"));
      return null;
    }
    return v.asText();
  }

  private static @Nullable Instant time(JsonNode body, String name, List<FieldError> errors) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    try {
      if (!v.isTextual() || v.asText().length() > 64) {
        throw new DateTimeParseException("not a string", v.toString(), 0);
      }
      return Instant.parse(v.asText());
    } catch (DateTimeParseException e) {
      errors.add(
          new FieldError("/" + name, "must be an RFC 3339 time such as 2026-01-01T00:00:00Z"));
      return null;
    }
  }

  private static Hold read(RecordStore.Entry e) {
    try {
      JsonNode o = new ObjectMapper().readTree(e.body());
      return new Hold(
          o.path("id").asText(),
          o.path("reason").asText(),
          opt(o, "case_reference"),
          opt(o, "source"),
          opt(o, "actor_id"),
          opt(o, "target_id"),
          o.hasNonNull("from") ? Instant.parse(o.get("from").asText()) : null,
          o.hasNonNull("to") ? Instant.parse(o.get("to").asText()) : null,
          o.path("placed_at").asText(),
          opt(o, "placed_by"));
    } catch (IOException ex) {
      throw new UncheckedIOException("legal-hold record " + e.id() + " is damaged", ex);
    }
  }

  private static @Nullable String opt(JsonNode o, String name) {
    JsonNode v = o.get(name);
    return v == null || v.isNull() ? null : v.asText();
  }
}
