package dev.vellum.analytics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.ingest.Times;
import dev.vellum.store.RecordStore;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A tenant's saved analytics queries, as {@code saved-query} records: at most {@link
 * AnalyticsSettings#maxSavedQueries()} per tenant, each checked by the SQL guard when saved, so
 * that a saved query is one that may run.
 */
public final class SavedQueries {
  static final String KIND = "saved-query";
  public static final int MAX_NAME = 200;
  public static final int MAX_DESCRIPTION = 2_000;

  /** A saved query as stored and answered. */
  public record SavedQuery(
      String id,
      String name,
      @Nullable String description,
      String sql,
      String createdAt,
      String createdBy) {}

  private final RecordStore records;
  private final ObjectMapper json;
  private final Clock clock;
  private final AnalyticsSettings settings;
  private final Consumer<String> guard;

  SavedQueries(
      RecordStore records,
      ObjectMapper json,
      Clock clock,
      AnalyticsSettings settings,
      Consumer<String> guard) {
    this.records = records;
    this.json = json;
    this.clock = clock;
    this.settings = settings;
    this.guard = guard;
  }

  /**
   * Saves a query whose fields the caller has checked against the limits; refuses SQL the guard
   * refuses, and a tenant at its limit (CONFLICT).
   */
  public SavedQuery create(
      String tenant, String name, @Nullable String description, String sql, String createdBy) {
    if (name.isEmpty() || name.length() > MAX_NAME || sql.length() > settings.maxSqlChars()) {
      throw new IllegalArgumentException("name or sql out of bounds");
    }
    guard.accept(sql);
    long count = records.count(KIND, tenant, null);
    if (count >= settings.maxSavedQueries()) {
      throw new AnalyticsException(
          AnalyticsException.Kind.CONFLICT,
          "this tenant has " + count + " saved queries, the most it may keep; delete one first");
    }
    SavedQuery q =
        new SavedQuery(
            "sq_" + UUID.randomUUID().toString().replace("-", ""),
            name,
            description,
            sql,
            Times.format(clock.instant()),
            createdBy);
    long now = Times.micros(clock.instant());
    if (records.put(RecordStore.Entry.of(KIND, tenant, q.id(), render(q).toString(), now), 0) < 0) {
      throw new AnalyticsException(AnalyticsException.Kind.CONFLICT, "id collision; retry");
    }
    return q;
  }

  public Optional<SavedQuery> get(String tenant, String id) {
    if (id.isEmpty() || id.length() > RecordStore.MAX_KEY_LENGTH) {
      return Optional.empty();
    }
    return records.get(KIND, tenant, id).map(e -> parse(e.body()));
  }

  /** Every saved query of the tenant, in id order (bounded by the per-tenant limit). */
  public List<SavedQuery> list(String tenant) {
    List<SavedQuery> out = new ArrayList<>();
    for (RecordStore.Entry e : records.list(KIND, tenant, null, "", settings.maxSavedQueries())) {
      out.add(parse(e.body()));
    }
    return out;
  }

  public boolean delete(String tenant, String id) {
    if (id.isEmpty() || id.length() > RecordStore.MAX_KEY_LENGTH) {
      return false;
    }
    return records.delete(KIND, tenant, id);
  }

  /** The query as JSON for answers and storage. */
  public ObjectNode render(SavedQuery q) {
    ObjectNode o = json.createObjectNode();
    o.put("id", q.id());
    o.put("name", q.name());
    if (q.description() != null) {
      o.put("description", q.description());
    }
    o.put("sql", q.sql());
    o.put("created_at", q.createdAt());
    o.put("created_by", q.createdBy());
    return o;
  }

  private SavedQuery parse(String body) {
    try {
      JsonNode o = json.readTree(body);
      JsonNode d = o.get("description");
      return new SavedQuery(
          o.path("id").asText(),
          o.path("name").asText(),
          d == null || d.isNull() ? null : d.asText(),
          o.path("sql").asText(),
          o.path("created_at").asText(),
          o.path("created_by").asText());
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("saved query record is not JSON", e);
    }
  }
}
