/**
 * Notifications: channels (signed webhooks, e-mail over SMTP, Slack and Teams incoming webhooks),
 * the feed consumer that turns the alert events the rules engine records into durable deliveries,
 * and the sender that delivers them at least once, with retries, dead letters and an outbound
 * address guard.
 */
@NullMarked
package dev.vellum.notify;

import org.jspecify.annotations.NullMarked;
