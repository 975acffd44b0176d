package dev.vellum.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.ingest.Times;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.RecordStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Follows the committed-event feed for the alert events the rules engine records (source {@code
 * VELLUM}, types ALERT_FIRED, ALERT_RESOLVED, ALERT_ACKNOWLEDGED) and, for each channel listed in
 * an event's {@code metadata.channels}, durably creates a pending delivery, then returns; the
 * {@link Sender} does the sending. The delivery id is derived from (alert id, channel id, event
 * type) and written only if absent, so a batch the feed hands over again after a crash creates
 * nothing twice, and a delivery already sent is not sent again because of it.
 */
final class AlertFollower implements FeedConsumer {
  static final String NAME = "notify";
  static final Set<String> TYPES = Set.of("ALERT_FIRED", "ALERT_RESOLVED", "ALERT_ACKNOWLEDGED");
  private static final String SYSTEM_SOURCE = "VELLUM";
  private static final int MAX_CHANNELS = 32;

  private final RecordStore records;
  private final Channels channels;
  private final ObjectMapper json;
  private final Clock clock;
  private final Duration retryFor;
  private final Runnable wake;

  AlertFollower(
      RecordStore records,
      Channels channels,
      ObjectMapper json,
      Clock clock,
      Duration retryFor,
      Runnable wake) {
    this.records = records;
    this.channels = channels;
    this.json = json;
    this.clock = clock;
    this.retryFor = retryFor;
    this.wake = wake;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<String> clusterRole() {
    return Optional.of(NAME);
  }

  @Override
  public void accept(List<FeedEvent> events) throws Exception {
    boolean created = false;
    for (FeedEvent fe : events) {
      NewEvent e = fe.event();
      // a restored alert event was turned into deliveries when it was first committed
      if (!fe.restored() && SYSTEM_SOURCE.equals(e.source()) && TYPES.contains(e.type())) {
        created |= deliveries(e);
      }
    }
    if (created) {
      wake.run();
    }
  }

  private boolean deliveries(NewEvent e) throws Exception {
    JsonNode event = json.readTree(e.body());
    JsonNode md = event.path("metadata");
    String alertId = md.path("alert_id").asText("");
    if (alertId.isEmpty() || !md.path("channels").isArray()) {
      return false;
    }
    Set<String> ids = new LinkedHashSet<>();
    for (JsonNode c : md.path("channels")) {
      if (c.isTextual() && !c.asText().isEmpty() && ids.size() < MAX_CHANNELS) {
        ids.add(c.asText());
      }
    }
    boolean created = false;
    long now = Times.micros(clock.instant());
    for (String channelId : ids) {
      String id = deliveryId(alertId, channelId, e.type());
      ObjectNode d = json.createObjectNode();
      d.put("id", id).put("tenant", e.tenant()).put("channel_id", channelId);
      d.put(
          "channel_type",
          channels.stored(e.tenant(), channelId).map(c -> c.path("type").asText()).orElse("none"));
      d.put("event_type", e.type()).put("event_id", e.id()).put("alert_id", alertId);
      d.put("rule_id", md.path("rule_id").asText());
      d.put("rule_name", md.path("rule_name").asText(md.path("rule_id").asText()));
      d.put("severity", md.path("alert_severity").asText(e.severity()));
      d.put("description", md.path("description").asText(""));
      d.set(
          "trigger_event_ids",
          md.path("trigger_event_ids").isArray()
              ? md.path("trigger_event_ids").deepCopy()
              : json.createArrayNode());
      d.set(
          "group",
          md.path("group").isObject() ? md.path("group").deepCopy() : json.createObjectNode());
      if (md.path("signal").isObject()) {
        d.set("signal", md.path("signal").deepCopy()); // an alarm: its condition and value
      }
      if (md.path("window_seconds").canConvertToLong()) {
        d.put("window_seconds", md.path("window_seconds").asLong());
      }
      d.put("occurred_at", Times.formatMicros(e.occurredAtMicros()));
      d.put("created_at", Times.formatMicros(now));
      d.put("retry_until_us", now + retryFor.toNanos() / 1000);
      d.put("attempts", 0);
      RecordStore.Entry entry =
          new RecordStore.Entry(
              Deliveries.KIND, e.tenant(), id, json.writeValueAsString(d), "pending", now, 0, now);
      created |= records.put(entry, RecordStore.ABSENT) > 0;
    }
    return created;
  }

  /** {@code dl_} and 32 hex digits of SHA-256 over the three parts: stable across re-deliveries. */
  static String deliveryId(String alertId, String channelId, String eventType) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  (alertId + "\n" + channelId + "\n" + eventType).getBytes(StandardCharsets.UTF_8));
      return "dl_" + HexFormat.of().formatHex(h, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }
}
