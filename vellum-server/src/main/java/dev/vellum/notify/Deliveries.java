package dev.vellum.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.ingest.Times;
import dev.vellum.store.RecordStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A tenant's deliveries (records of kind {@code delivery}): pending (waiting for an attempt or a
 * retry), delivered, or dead (a permanent failure, or retries exhausted). Dead and delivered ones
 * can be replayed: they become pending again with a fresh retry window, under the same id.
 */
public final class Deliveries {
  static final String KIND = "delivery";
  public static final Set<String> STATUSES = Set.of("pending", "delivered", "dead");
  public static final int MAX_LIMIT = 200;

  /** One page, and the cursor of the next page (null at the end). */
  public record Page(List<ObjectNode> items, @Nullable String next) {}

  private final RecordStore records;
  private final ObjectMapper json;
  private final Duration retryFor;
  private final Runnable wake;

  Deliveries(RecordStore records, ObjectMapper json, Duration retryFor, Runnable wake) {
    this.records = records;
    this.json = json;
    this.retryFor = retryFor;
    this.wake = wake;
  }

  /** Deliveries in id order after {@code cursor}; throws {@link NotifyException} for bad input. */
  public Page list(String tenant, @Nullable String status, @Nullable String cursor, int limit) {
    if (status != null && !STATUSES.contains(status)) {
      throw NotifyException.invalid("/status", "must be pending, delivered or dead");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw NotifyException.invalid("/limit", "must be 1.." + MAX_LIMIT);
    }
    String after = cursor == null ? "" : decode(cursor);
    List<RecordStore.Entry> page = records.list(KIND, tenant, status, after, limit + 1);
    List<ObjectNode> items = new ArrayList<>();
    for (int i = 0; i < Math.min(limit, page.size()); i++) {
      items.add(view(page.get(i)));
    }
    String next = page.size() > limit ? encode(page.get(limit - 1).id()) : null;
    return new Page(items, next);
  }

  public Optional<ObjectNode> get(String tenant, String id) {
    if (id.isEmpty() || id.length() > RecordStore.MAX_KEY_LENGTH) {
      return Optional.empty();
    }
    return records.get(KIND, tenant, id).map(this::view);
  }

  /**
   * Makes a dead or delivered delivery pending again, due now, with a fresh retry window. Throws
   * {@link NotifyException} when there is none, or it is pending (it will be sent anyway).
   */
  public ObjectNode replay(String tenant, String id, long nowMicros) {
    for (int tries = 0; tries < 5; tries++) {
      RecordStore.Entry e =
          (id.isEmpty() || id.length() > RecordStore.MAX_KEY_LENGTH
                  ? Optional.<RecordStore.Entry>empty()
                  : records.get(KIND, tenant, id))
              .orElseThrow(() -> NotifyException.notFound("no delivery " + id));
      if ("pending".equals(e.status())) {
        throw NotifyException.conflict("delivery " + id + " is pending already");
      }
      ObjectNode d = read(e.body());
      d.put("retry_until_us", nowMicros + retryFor.toNanos() / 1000);
      d.put("replayed_at", Times.formatMicros(nowMicros));
      d.put("replays", d.path("replays").asInt(0) + 1);
      d.remove("dead_reason");
      RecordStore.Entry next = e.withBody(write(d), nowMicros).withStatus("pending", nowMicros);
      long v = records.put(next, e.version());
      if (v > 0) {
        wake.run();
        return view(
            new RecordStore.Entry(
                next.kind(),
                next.tenant(),
                next.id(),
                next.body(),
                next.status(),
                next.dueMicros(),
                v,
                nowMicros));
      }
    }
    throw NotifyException.conflict("delivery " + id + " kept changing; try again");
  }

  ObjectNode view(RecordStore.Entry e) {
    ObjectNode d = read(e.body());
    long retryUntil = d.path("retry_until_us").asLong();
    d.remove("retry_until_us");
    d.put("status", e.status() == null ? "pending" : e.status());
    if ("pending".equals(e.status()) && e.dueMicros() > 0) {
      d.put("next_attempt_at", Times.formatMicros(e.dueMicros()));
    }
    if (retryUntil > 0) {
      d.put("retry_until", Times.formatMicros(retryUntil));
    }
    return d;
  }

  private static String encode(String id) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(id.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String cursor) {
    try {
      String id = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (id.isEmpty() || id.length() > RecordStore.MAX_KEY_LENGTH) {
        throw new IllegalArgumentException("length");
      }
      return id;
    } catch (IllegalArgumentException e) {
      throw NotifyException.invalid("/cursor", "is not a cursor this server gave out");
    }
  }

  ObjectNode read(String body) {
    try {
      return (ObjectNode) json.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored delivery is not JSON", e);
    }
  }

  String write(ObjectNode d) {
    try {
      return json.writeValueAsString(d);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a delivery", e);
    }
  }
}
