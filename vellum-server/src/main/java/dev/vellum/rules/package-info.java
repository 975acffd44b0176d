/**
 * Rules, detections and alerts: EventBridge-style event patterns over the canonical event, windowed
 * conditions (threshold, absence, sequence, new value), the built-in detection pack, and the alerts
 * they raise. Evaluation follows the committed-event feed; alerts are records and events in the
 * tenant's log, which the notifiers follow.
 */
@NullMarked
package dev.vellum.rules;

import org.jspecify.annotations.NullMarked;
