package dev.vellum.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * What each channel type receives for a delivery. The webhook payload is versioned ({@code
 * "version": "1"}) and stable; the chat payloads follow each product's incoming-webhook format:
 * Slack's {@code text} (the notification fallback) plus Block Kit {@code blocks}; Teams either an
 * Adaptive Card in a {@code message} envelope (Workflows webhooks) or a legacy {@code MessageCard}
 * (Office 365 connectors). Everything is built from the delivery record, so every retry sends the
 * same bytes apart from the signature's timestamp.
 */
final class Payloads {
  private final ObjectMapper json;

  Payloads(ObjectMapper json) {
    this.json = json;
  }

  /** The documented webhook body (docs/notifications.md, "Webhook payload"). */
  ObjectNode webhook(ObjectNode d) {
    ObjectNode p = json.createObjectNode().put("version", "1");
    p.put("delivery_id", d.path("id").asText());
    p.put("event_type", d.path("event_type").asText());
    p.put("tenant", d.path("tenant").asText());
    p.put("alert_id", d.path("alert_id").asText());
    p.putObject("rule")
        .put("id", d.path("rule_id").asText())
        .put("name", d.path("rule_name").asText());
    p.put("severity", d.path("severity").asText());
    p.put("description", d.path("description").asText());
    p.put("event_id", d.path("event_id").asText());
    p.put("occurred_at", d.path("occurred_at").asText());
    p.set("trigger_event_ids", d.path("trigger_event_ids").deepCopy());
    p.set("group", d.path("group").deepCopy());
    if (d.has("window_seconds")) {
      p.put("window_seconds", d.path("window_seconds").asLong());
    }
    if (d.path("signal").isObject()) {
      p.set("signal", d.path("signal").deepCopy());
    }
    p.put("channel_id", d.path("channel_id").asText());
    return p;
  }

  /** One line for chat and the e-mail subject: "[critical] Alert fired: Brute force (alert a1)". */
  String headline(ObjectNode d) {
    return "["
        + d.path("severity").asText()
        + "] "
        + verb(d.path("event_type").asText())
        + ": "
        + d.path("rule_name").asText(d.path("rule_id").asText())
        + " (alert "
        + d.path("alert_id").asText()
        + ")";
  }

  /** Plain text body for e-mail and chat fallbacks. */
  String text(ObjectNode d) {
    StringBuilder b = new StringBuilder(headline(d)).append("\n\n");
    if (!d.path("description").asText().isEmpty()) {
      b.append(d.path("description").asText()).append("\n\n");
    }
    b.append("Tenant: ").append(d.path("tenant").asText()).append('\n');
    b.append("Rule: ").append(d.path("rule_id").asText()).append('\n');
    b.append("Occurred at: ").append(d.path("occurred_at").asText()).append('\n');
    b.append("Triggering events: ").append(ids(d.path("trigger_event_ids"))).append('\n');
    b.append("Delivery: ").append(d.path("id").asText()).append('\n');
    return b.toString();
  }

  String html(ObjectNode d) {
    StringBuilder b = new StringBuilder("<!doctype html><html><body>");
    b.append("<h2>").append(escape(headline(d))).append("</h2>");
    if (!d.path("description").asText().isEmpty()) {
      b.append("<p>").append(escape(d.path("description").asText())).append("</p>");
    }
    b.append("<table>");
    row(b, "Tenant", d.path("tenant").asText());
    row(b, "Rule", d.path("rule_id").asText());
    row(b, "Occurred at", d.path("occurred_at").asText());
    row(b, "Triggering events", ids(d.path("trigger_event_ids")));
    row(b, "Delivery", d.path("id").asText());
    return b.append("</table></body></html>").toString();
  }

  /** Slack incoming webhook: {@code text} is the notification fallback, the blocks the message. */
  ObjectNode slack(ObjectNode d) {
    ObjectNode p = json.createObjectNode().put("text", headline(d));
    ArrayNode blocks = p.putArray("blocks");
    blocks
        .addObject()
        .put("type", "header")
        .putObject("text")
        .put("type", "plain_text")
        .put("text", clip(headline(d), 150));
    ObjectNode section = blocks.addObject().put("type", "section");
    section.putObject("text").put("type", "mrkdwn").put("text", clip(slackEscape(text(d)), 3000));
    ObjectNode context = blocks.addObject().put("type", "context");
    context
        .putArray("elements")
        .addObject()
        .put("type", "mrkdwn")
        .put("text", "Vellum delivery " + d.path("id").asText());
    return p;
  }

  /** Teams: an Adaptive Card in a message envelope, or a legacy MessageCard. */
  ObjectNode teams(ObjectNode d, String card) {
    if ("message_card".equals(card)) {
      ObjectNode p = json.createObjectNode();
      p.put("@type", "MessageCard").put("@context", "https://schema.org/extensions");
      p.put("summary", clip(headline(d), 200)).put("themeColor", color(d));
      p.put("title", headline(d)).put("text", d.path("description").asText(" "));
      ArrayNode facts = p.putArray("sections").addObject().putArray("facts");
      facts.addObject().put("name", "Tenant").put("value", d.path("tenant").asText());
      facts.addObject().put("name", "Rule").put("value", d.path("rule_id").asText());
      facts.addObject().put("name", "Occurred at").put("value", d.path("occurred_at").asText());
      facts.addObject().put("name", "Delivery").put("value", d.path("id").asText());
      return p;
    }
    ObjectNode p = json.createObjectNode().put("type", "message");
    ObjectNode attachment = p.putArray("attachments").addObject();
    attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
    attachment.putNull("contentUrl");
    ObjectNode content = attachment.putObject("content");
    content.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
    content.put("type", "AdaptiveCard").put("version", "1.4");
    ArrayNode body = content.putArray("body");
    body.addObject()
        .put("type", "TextBlock")
        .put("text", headline(d))
        .put("weight", "Bolder")
        .put("size", "Medium")
        .put("wrap", true);
    body.addObject()
        .put("type", "TextBlock")
        .put("text", d.path("description").asText(" "))
        .put("wrap", true);
    ArrayNode facts = body.addObject().put("type", "FactSet").putArray("facts");
    facts.addObject().put("title", "Tenant").put("value", d.path("tenant").asText());
    facts.addObject().put("title", "Rule").put("value", d.path("rule_id").asText());
    facts.addObject().put("title", "Occurred at").put("value", d.path("occurred_at").asText());
    facts.addObject().put("title", "Delivery").put("value", d.path("id").asText());
    return p;
  }

  private static String verb(String eventType) {
    switch (eventType) {
      case "ALERT_RESOLVED":
        return "Alert resolved";
      case "ALERT_ACKNOWLEDGED":
        return "Alert acknowledged";
      default:
        return "Alert fired";
    }
  }

  private static String color(ObjectNode d) {
    switch (d.path("severity").asText().toLowerCase(Locale.ROOT)) {
      case "critical":
      case "error":
        return "D7263D";
      case "warning":
        return "F4A261";
      default:
        return "2A9D8F";
    }
  }

  private static String ids(JsonNode array) {
    StringBuilder b = new StringBuilder();
    for (JsonNode id : array) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(id.asText());
    }
    return b.length() == 0 ? "-" : b.toString();
  }

  private static void row(StringBuilder b, String name, String value) {
    b.append("<tr><th align=\"left\">")
        .append(escape(name))
        .append("</th><td>")
        .append(escape(value))
        .append("</td></tr>");
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }

  /** Slack's mrkdwn treats only these three as control characters. */
  private static String slackEscape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String clip(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
