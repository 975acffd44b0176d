package dev.vellum.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.event.FieldError;
import dev.vellum.core.json.CanonicalJson;
import dev.vellum.core.json.NotIJsonException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Normalises and validates one submitted event: canonical id and time, category from the type,
 * defaults for outcome and severity, then the type's JSON Schema. Pure apart from the catalogue
 * lookup; never throws for bad input, it returns the problems instead.
 */
public final class EventNormalizer {
  /** Members only the server may set. */
  public static final Set<String> SERVER_MEMBERS =
      Set.of("tenant", "received_at", "seq", "leaf_hash", "leaf_version");

  /** Either a prepared event or the problems that stopped it. */
  public record Result(@Nullable PreparedEvent event, List<FieldError> errors) {
    static Result failed(List<FieldError> errors) {
      return new Result(null, List.copyOf(errors));
    }

    static Result failed(String pointer, String detail) {
      return failed(List.of(new FieldError(pointer, detail)));
    }

    public boolean ok() {
      return event != null;
    }
  }

  private final EventTypeCatalog catalog;
  private final Duration maxFutureSkew;

  public EventNormalizer(EventTypeCatalog catalog, Duration maxFutureSkew) {
    this.catalog = catalog;
    this.maxFutureSkew = maxFutureSkew;
  }

  /**
   * Normalises and validates {@code raw}, which this call takes ownership of and may change;
   * callers must not use it afterwards.
   */
  public Result prepare(String tenant, JsonNode raw, Instant now) {
    if (raw == null || !raw.isObject()) {
      return Result.failed("", "an event must be a JSON object");
    }
    ObjectNode event = (ObjectNode) raw; // owned by this call from here on: no copy
    List<FieldError> errors = new ArrayList<>();
    if (IdentifierLimits.check(event, errors)) {
      // before the type lookup and the schema: an over-long value must cost nothing more
      return Result.failed(errors);
    }
    for (String member : SERVER_MEMBERS) {
      if (event.has(member)) {
        errors.add(new FieldError("/" + member, "is set by the server and must not be sent"));
      }
    }
    boolean clientId = event.hasNonNull("id");
    String id = normaliseId(event, errors);
    Long occurredAt = normaliseTime(event, now, errors);
    String type = event.path("type").isTextual() ? event.get("type").asText() : null;
    Optional<EventTypeCatalog.TypeDef> def =
        type == null ? Optional.empty() : catalog.find(tenant, type);
    if (type == null) {
      errors.add(new FieldError("/type", "is required and must be a string"));
    } else if (def.isEmpty()) {
      errors.add(
          new FieldError("/type", "unknown event type " + type + "; see GET /v1/event-types"));
    }
    if (!errors.isEmpty() || def.isEmpty()) {
      return Result.failed(errors);
    }
    if (!event.has("category")) {
      event.put("category", def.get().category());
    }
    if (!event.has("outcome")) {
      event.put("outcome", def.get().defaultOutcome());
    }
    if (!event.has("severity")) {
      event.put("severity", def.get().defaultSeverity());
    }
    List<FieldError> schemaErrors = EventTypeCatalog.validate(def.get(), event);
    if (!schemaErrors.isEmpty()) {
      return Result.failed(schemaErrors);
    }
    try {
      // both are null only when errors were added, and then the event was refused above
      return new Result(
          toPrepared(
              tenant,
              Objects.requireNonNull(id),
              event,
              Objects.requireNonNull(occurredAt),
              clientId),
          List.of());
    } catch (NotIJsonException notIJson) {
      // a lone UTF-16 surrogate, or a number too large for a double (1e400): no RFC 8785 form,
      // so no leaf hash; found while rendering the canonical members, not by a separate walk
      return Result.failed(
          notIJson.pointer(),
          Objects.requireNonNull(notIJson.getMessage(), "NotIJsonException always says why"));
    }
  }

  private static @Nullable String normaliseId(ObjectNode event, List<FieldError> errors) {
    JsonNode id = event.get("id");
    if (id == null || id.isNull()) {
      String assigned = Uuid7.next().toString();
      event.put("id", assigned);
      return assigned;
    }
    if (!id.isTextual()) {
      errors.add(new FieldError("/id", "must be a UUID string"));
      return null;
    }
    try {
      String text = id.asText();
      if (text.length() != 36) {
        throw new IllegalArgumentException();
      }
      String canonical = UUID.fromString(text).toString();
      event.put("id", canonical);
      return canonical;
    } catch (IllegalArgumentException e) {
      errors.add(new FieldError("/id", "must be a UUID in 8-4-4-4-12 hex form"));
      return null;
    }
  }

  private @Nullable Long normaliseTime(ObjectNode event, Instant now, List<FieldError> errors) {
    JsonNode t = event.get("occurred_at");
    if (t == null || !t.isTextual()) {
      errors.add(new FieldError("/occurred_at", "is required: an RFC 3339 date-time string"));
      return null;
    }
    Instant at;
    try {
      at = Times.parse(t.asText());
    } catch (IllegalArgumentException e) {
      errors.add(
          new FieldError(
              "/occurred_at",
              Objects.requireNonNull(e.getMessage(), "Times.parse always says why")));
      return null;
    }
    if (at.isAfter(now.plus(maxFutureSkew))) {
      errors.add(
          new FieldError(
              "/occurred_at",
              "is more than "
                  + maxFutureSkew.toSeconds()
                  + " s in the future (server time "
                  + Times.format(now)
                  + ")"));
      return null;
    }
    event.put("occurred_at", Times.format(at));
    return Times.micros(at);
  }

  private static PreparedEvent toPrepared(
      String tenant, String id, ObjectNode e, long at, boolean clientId) {
    JsonNode actor = e.path("actor");
    return new PreparedEvent(
        tenant,
        id,
        e,
        at,
        e.get("type").asText(),
        e.get("category").asText(),
        e.path("source").asText(),
        e.get("outcome").asText(),
        e.get("severity").asText(),
        actor.path("id").asText(),
        text(actor, "ip"),
        text(e, "session_id"),
        clientId,
        CanonicalJson.canonicalMembers(e));
  }

  private static @Nullable String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }
}
