package dev.vellum.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Sources;
import dev.vellum.auth.Tenants;
import dev.vellum.core.event.FieldError;
import dev.vellum.store.NewEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The ingest pipeline for one request: check the source, normalise and validate each event, hand
 * the valid ones to the sequencer and wait until they are durable. A bad event never stops its
 * valid neighbours.
 */
public final class IngestService {
  /** Source code of events the server writes itself (read auditing); clients may not use it. */
  private static final String SYSTEM_SOURCE = Tenants.SYSTEM_SOURCE;

  /** The longest a request waits for its commit; a commit normally takes milliseconds. */
  static final java.time.Duration COMMIT_WAIT = java.time.Duration.ofSeconds(30);

  private final EventNormalizer normalizer;
  private final Sequencer sequencer;
  private final Sources sources;
  private final Clock clock;
  private final ObjectMapper json;
  private final MeterRegistry metrics;
  private final Counter accepted;
  private final IngestCounts counts = new IngestCounts();
  private final ConsumerLeadGate leadGate;

  public IngestService(
      EventNormalizer normalizer,
      Sequencer sequencer,
      ConsumerLeadGate leadGate,
      Sources sources,
      Clock clock,
      ObjectMapper json,
      MeterRegistry metrics) {
    this.normalizer = normalizer;
    this.sequencer = sequencer;
    this.leadGate = leadGate;
    this.sources = sources;
    this.clock = clock;
    this.json = json;
    this.metrics = metrics;
    this.accepted = Counter.builder("vellum.events.accepted").register(metrics);
  }

  /** Ingests events sent by {@code principal}; one result per event, in order. */
  public List<IngestResult> ingest(Principal principal, List<JsonNode> events) {
    Instant now = clock.instant();
    IngestResult[] results = new IngestResult[events.size()];
    List<PreparedEvent> valid = new ArrayList<>();
    List<Integer> validIndex = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      JsonNode raw = events.get(i);
      String clientId = idOf(raw);
      List<FieldError> sourceErrors = new ArrayList<>();
      boolean forbidden = checkSource(principal, raw, sourceErrors);
      EventNormalizer.Result r = normalizer.prepare(principal.tenant(), raw, now);
      if (!sourceErrors.isEmpty() || !r.ok()) {
        List<FieldError> all = new ArrayList<>(sourceErrors);
        all.addAll(r.errors());
        results[i] = IngestResult.rejected(i, clientId, all, forbidden && r.ok());
        countRejected(forbidden ? "forbidden_source" : "invalid");
      } else {
        valid.add(r.event());
        validIndex.add(i);
      }
    }
    List<Receipt> receipts =
        valid.isEmpty() ? List.of() : await(leadGate.admit(() -> sequencer.submit(valid)));
    for (int k = 0; k < receipts.size(); k++) {
      results[validIndex.get(k)] = toResult(validIndex.get(k), receipts.get(k));
    }
    int rejected = 0;
    for (IngestResult r : results) {
      rejected += r.status() == IngestResult.Status.REJECTED ? 1 : 0;
    }
    counts.add(principal.tenant(), results.length, rejected);
    return List.of(results);
  }

  /** What this node received and rejected, per tenant: a source of the self-alarm signals. */
  public IngestCounts counts() {
    return counts;
  }

  private IngestResult toResult(int index, Receipt r) {
    return switch (r.status()) {
      case ACCEPTED -> {
        accepted.increment();
        yield new IngestResult(
            index, r.id(), r.seq(), r.leafHash(), IngestResult.Status.ACCEPTED, List.of(), false);
      }
      case DUPLICATE ->
          new IngestResult(
              index,
              r.id(),
              r.seq(),
              r.leafHash(),
              IngestResult.Status.DUPLICATE,
              List.of(),
              false);
      case CONFLICT -> {
        countRejected("conflict");
        yield IngestResult.rejected(
            index,
            r.id(),
            List.of(
                new FieldError(
                    "/id",
                    "conflict: an event with this id and different content is already stored")),
            false);
      }
    };
  }

  private void countRejected(String reason) {
    metrics.counter("vellum.events.rejected", "reason", reason).increment();
  }

  /** Adds problems with the event's source; returns true if the key may not write for it. */
  private boolean checkSource(Principal p, JsonNode raw, List<FieldError> errors) {
    JsonNode source = raw == null ? null : raw.get("source");
    if (source == null || !source.isTextual()) {
      errors.add(new FieldError("/source", "is required: the code of a registered source"));
      return false;
    }
    String code = source.asText();
    if (code.length() > IdentifierLimits.SOURCE) {
      return false; // the normaliser reports the length, without echoing the value
    }
    if (SYSTEM_SOURCE.equals(code)) {
      errors.add(
          new FieldError(
              "/source",
              "source " + SYSTEM_SOURCE + " is reserved for events the server writes itself"));
      return true;
    }
    if (!sources.isRegistered(p.tenant(), code)) {
      errors.add(
          new FieldError(
              "/source",
              "source "
                  + code
                  + " is not registered for this tenant; register it with PUT /v1/sources/"
                  + code));
      return false;
    }
    if (!p.maySendFor(code)) {
      errors.add(new FieldError("/source", "this API key may not send events for source " + code));
      return true;
    }
    return false;
  }

  private static @Nullable String idOf(JsonNode raw) {
    JsonNode id = raw == null ? null : raw.get("id");
    return id != null && id.isTextual() ? id.asText() : null;
  }

  /** The type of the event recorded for each read of audit data. */
  public static final String ACCESS_EVENT_TYPE = "AUDIT_LOG_ACCESSED";

  /** Whether {@code e} is the server's record of a read (see {@link #recordAccess}). */
  public static boolean isAccessRecord(NewEvent e) {
    return SYSTEM_SOURCE.equals(e.source()) && ACCESS_EVENT_TYPE.equals(e.type());
  }

  /**
   * Records that {@code principal} read audit data, as an AUDIT_LOG_ACCESSED event in its own
   * tenant's log. The read does not wait for it: the record is committed with the writer's next
   * batch (within about 100 ms when idle, one commit cycle under load), so a saturated ingest queue
   * neither slows nor fails reads.
   */
  public void recordAccess(
      Principal principal, String resource, ObjectNode filter, int resultCount) {
    ObjectNode e = json.createObjectNode();
    e.put("occurred_at", Times.format(clock.instant()));
    e.put("source", SYSTEM_SOURCE);
    e.put("type", ACCESS_EVENT_TYPE);
    e.put("outcome", "success");
    e.putObject("actor").put("type", "api_key").put("id", principal.keyId());
    ObjectNode meta = e.putObject("metadata");
    meta.put("key_id", principal.keyId());
    meta.put("resource", resource);
    meta.set("filter", filter);
    meta.put("result_count", resultCount);
    EventNormalizer.Result r = normalizer.prepare(principal.tenant(), e, clock.instant());
    if (!r.ok()) {
      throw new IllegalStateException("read-audit event failed validation: " + r.errors());
    }
    sequencer.submitBackground(Objects.requireNonNull(r.event(), "r.ok() means an event"));
  }

  /**
   * Waits for the writer, at most {@link #COMMIT_WAIT}. When the wait ends without an answer the
   * events may still commit, so the client is told the outcome is unknown, not that nothing was
   * stored.
   */
  private static List<Receipt> await(CompletableFuture<List<Receipt>> future) {
    try {
      return future.get(COMMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommitOutcomeUnknownException("interrupted while waiting for the commit", e);
    } catch (TimeoutException e) {
      throw new CommitOutcomeUnknownException(
          "no commit within " + COMMIT_WAIT.toSeconds() + " s", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new CommitOutcomeUnknownException("the writer failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Records an administrative change (a key created or revoked, a tenant created, a source
   * registered, an event type or a usage plan put) as an event of {@code type} from the reserved
   * system source in {@code tenant}'s log, with the acting key as actor, and waits until it is
   * durable. {@code target} names what changed ({@code [type, id]}); {@code changes} may be null.
   * Throws if the event does not validate: a change that cannot be audited is a server bug, not a
   * client error.
   */
  public void recordAdminChange(
      Principal actor,
      String tenant,
      String type,
      String[] target,
      ObjectNode metadata,
      com.fasterxml.jackson.databind.node.@Nullable ArrayNode changes) {
    Instant now = clock.instant();
    ObjectNode e = json.createObjectNode();
    e.put("occurred_at", Times.format(now));
    e.put("source", SYSTEM_SOURCE);
    e.put("type", type);
    e.put("outcome", "success");
    e.putObject("actor").put("type", "api_key").put("id", actor.keyId());
    e.putArray("targets").addObject().put("type", target[0]).put("id", target[1]);
    if (changes != null) {
      e.set("changes", changes);
    }
    e.set("metadata", metadata);
    recordSystemEvent(tenant, e);
  }

  /**
   * Records an event the server writes itself (an alert, a rule's derived event, an archive
   * deletion) in {@code tenant}'s log and waits until it is durable. The event gets the reserved
   * system source unless it names one, and {@code occurred_at} now unless it has one. Throws if it
   * does not validate: an event the server cannot record is a server bug, not a client error.
   */
  public Receipt recordSystemEvent(String tenant, ObjectNode event) {
    Instant now = clock.instant();
    if (!event.hasNonNull("source")) {
      event.put("source", SYSTEM_SOURCE);
    }
    if (!event.hasNonNull("occurred_at")) {
      event.put("occurred_at", Times.format(now));
    }
    EventNormalizer.Result r = normalizer.prepare(tenant, event, now);
    if (!r.ok()) {
      throw new IllegalStateException(
          "system event " + event.path("type").asText() + " failed validation: " + r.errors());
    }
    return await(sequencer.submit(List.of(Objects.requireNonNull(r.event(), "r.ok()")))).get(0);
  }
}
