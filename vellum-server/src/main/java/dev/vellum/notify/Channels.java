package dev.vellum.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.ingest.Times;
import dev.vellum.store.RecordStore;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A tenant's notification channels, kept as records of kind {@code channel}. A webhook's signing
 * secret is generated here, returned once by {@link #create} and never again; views never carry it.
 */
public final class Channels {
  static final String KIND = "channel";
  static final Set<String> TYPES = Set.of("webhook", "email", "slack", "teams");
  private static final Set<String> FIELDS = Set.of("type", "name", "url", "to", "card");
  private static final int MAX_URL = 2048;
  private static final int MAX_RECIPIENTS = 20;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A created channel: its view and, for a webhook, the signing secret (shown this once). */
  public record Created(ObjectNode view, @Nullable String secret) {}

  private final RecordStore records;
  private final ObjectMapper json;
  private final AddressGuard guard;
  private final int maxPerTenant;
  private final boolean smtpConfigured;

  Channels(
      RecordStore records,
      ObjectMapper json,
      AddressGuard guard,
      int maxPerTenant,
      boolean smtpConfigured) {
    this.records = records;
    this.json = json;
    this.guard = guard;
    this.maxPerTenant = maxPerTenant;
    this.smtpConfigured = smtpConfigured;
  }

  /** Validates and stores a new channel; throws {@link NotifyException} naming the bad field. */
  public Created create(String tenant, JsonNode body, long nowMicros) {
    if (!body.isObject()) {
      throw NotifyException.invalid("", "the body must be a JSON object");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw NotifyException.invalid("/" + f, "unknown field; known: " + FIELDS);
      }
    }
    String type = text(body, "type", 16, true);
    if (type == null || !TYPES.contains(type)) {
      throw NotifyException.invalid("/type", "must be one of webhook, email, slack, teams");
    }
    ObjectNode stored = json.createObjectNode();
    stored.put("id", "ch_" + random(10));
    stored.put("type", type);
    String name = text(body, "name", 200, false);
    stored.put("name", name == null ? type : name);
    String secret = null;
    if ("email".equals(type)) {
      stored.set("to", recipients(body));
    } else {
      stored.put("url", url(body));
      if ("webhook".equals(type)) {
        secret = "whsec_" + random(24);
        stored.put("secret", secret);
      }
    }
    if ("teams".equals(type)) {
      String card = text(body, "card", 32, false);
      if (card != null && !Set.of("adaptive", "message_card").contains(card)) {
        throw NotifyException.invalid("/card", "must be adaptive or message_card");
      }
      stored.put("card", card == null ? "adaptive" : card);
    } else if (body.has("card")) {
      throw NotifyException.invalid("/card", "only teams channels have a card format");
    }
    stored.put("created_at", Times.formatMicros(nowMicros));
    if (records.count(KIND, tenant, null) >= maxPerTenant) {
      throw NotifyException.conflict(
          "this tenant has "
              + maxPerTenant
              + " channels, the most notify.max_channels_per_tenant allows; delete one first");
    }
    String id = stored.get("id").asText();
    if (records.put(
            RecordStore.Entry.of(KIND, tenant, id, write(stored), nowMicros), RecordStore.ABSENT)
        < 0) {
      throw NotifyException.conflict("channel id " + id + " is taken; try again");
    }
    return new Created(view(stored), secret);
  }

  public List<ObjectNode> list(String tenant) {
    List<ObjectNode> out = new ArrayList<>();
    String after = "";
    while (out.size() < maxPerTenant) {
      List<RecordStore.Entry> page = records.list(KIND, tenant, null, after, 100);
      if (page.isEmpty()) {
        break;
      }
      for (RecordStore.Entry e : page) {
        out.add(view(read(e.body())));
      }
      after = page.get(page.size() - 1).id();
    }
    return out;
  }

  public Optional<ObjectNode> get(String tenant, String id) {
    return stored(tenant, id).map(this::view);
  }

  /** Deletes the channel; its view when there was one. Pending deliveries to it go dead. */
  public Optional<ObjectNode> delete(String tenant, String id) {
    Optional<ObjectNode> before = get(tenant, id);
    if (before.isPresent() && records.delete(KIND, tenant, id)) {
      return before;
    }
    return Optional.empty();
  }

  /** The stored channel with its secret, for the sender. */
  Optional<ObjectNode> stored(String tenant, String id) {
    if (id.isEmpty() || id.length() > RecordStore.MAX_KEY_LENGTH) {
      return Optional.empty();
    }
    return records.get(KIND, tenant, id).map(e -> read(e.body()));
  }

  private ObjectNode view(ObjectNode stored) {
    ObjectNode v = stored.deepCopy();
    v.remove("secret");
    return v;
  }

  private String url(JsonNode body) {
    String text = text(body, "url", MAX_URL, true);
    if (text == null) {
      throw NotifyException.invalid("/url", "is required for this channel type");
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw NotifyException.invalid("/url", "is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw NotifyException.invalid("/url", "must be an http or https URL");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw NotifyException.invalid(
          "/url", "must name a host, and carry no user name, password or fragment");
    }
    try {
      guard.resolve(uri.getHost());
    } catch (AddressGuard.Refused e) {
      throw NotifyException.invalid("/url", "refused: " + e.getMessage());
    } catch (UnknownHostException e) {
      throw NotifyException.invalid("/url", "host " + uri.getHost() + " does not resolve");
    }
    return uri.toString();
  }

  private ArrayNode recipients(JsonNode body) {
    if (!smtpConfigured) {
      throw NotifyException.invalid(
          "/type", "e-mail channels need an SMTP server: set notify.smtp.host on the server");
    }
    JsonNode to = body.get("to");
    if (to == null || !to.isArray() || to.isEmpty() || to.size() > MAX_RECIPIENTS) {
      throw NotifyException.invalid(
          "/to", "must be an array of 1.." + MAX_RECIPIENTS + " e-mail addresses");
    }
    ArrayNode out = json.createArrayNode();
    for (int i = 0; i < to.size(); i++) {
      JsonNode a = to.get(i);
      if (!a.isTextual() || a.asText().length() > 254) {
        throw NotifyException.invalid("/to/" + i, "must be an e-mail address");
      }
      try {
        InternetAddress parsed = new InternetAddress(a.asText(), true);
        parsed.validate();
        if (parsed.getAddress() == null || !parsed.getAddress().contains("@")) {
          throw new AddressException("no domain");
        }
        out.add(parsed.getAddress());
      } catch (AddressException e) {
        throw NotifyException.invalid("/to/" + i, "is not an e-mail address: " + e.getMessage());
      }
    }
    return out;
  }

  private static @Nullable String text(JsonNode body, String field, int max, boolean required) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw NotifyException.invalid("/" + field, "is required");
      }
      return null;
    }
    if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > max) {
      throw NotifyException.invalid(
          "/" + field, "must be a non-blank string of at most " + max + " characters");
    }
    return v.asText();
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private String write(ObjectNode node) {
    try {
      return json.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a channel", e);
    }
  }

  private ObjectNode read(String body) {
    try {
      return (ObjectNode) json.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored channel is not JSON", e);
    }
  }
}
