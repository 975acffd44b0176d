package dev.vellum.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Takes batches from the outbox and POSTs them to {@code /v1/events}, at most {@code maxInFlight}
 * at once. A batch is retried whole, with the same bytes, until the server has answered for each of
 * its events: the ids make every retry idempotent, so "retry everything that is not known to be
 * settled" is always safe, including after a 503 of type {@code commit-outcome-unknown}.
 *
 * <p>Retried: network errors and timeouts, 408, 429, 500, 502, 503, 504 (after {@code Retry-After}
 * when the server sends one). Split in halves: 413. Final: per-event {@code rejected} results, 403
 * (the key may not write for the source), and any other 4xx (a bad key, a client bug), each
 * reported with the server's problem details.
 */
final class Sender implements Runnable {
  /** What the sender reports to the client. */
  interface Callbacks {
    void delivered(Entry e, Receipt r);

    void failed(Entry e, VellumException cause);

    void retrying(int attempt, int events, Duration delay, String reason);

    void answered(int accepted, int duplicates);

    void attempt(boolean reachedServer, @Nullable String failure);
  }

  private final Http http;
  private final Outbox outbox;
  private final Backoff backoff;
  private final Callbacks cb;
  private final ScheduledExecutorService timer;
  private final Semaphore inFlight;
  private final int maxEvents;
  private final long maxBytes;
  private final long lingerNanos;
  private volatile boolean abandoned;

  Sender(
      Http http,
      Outbox outbox,
      Backoff backoff,
      Callbacks cb,
      ScheduledExecutorService timer,
      int maxInFlight,
      int maxEvents,
      long maxBytes,
      Duration linger) {
    this.http = http;
    this.outbox = outbox;
    this.backoff = backoff;
    this.cb = cb;
    this.timer = timer;
    this.inFlight = new Semaphore(maxInFlight);
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
    this.lingerNanos = linger.toNanos();
  }

  @Override
  public void run() {
    try {
      while (!abandoned) {
        inFlight.acquire();
        List<Entry> entries = outbox.take(maxEvents, maxBytes, lingerNanos);
        if (entries.isEmpty()) {
          inFlight.release();
          return;
        }
        send(new Batch(entries, inFlight::release), 1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops retrying: the client is closing and its time is up. Answers still in transit count. */
  void abandon() {
    abandoned = true;
  }

  private static final class Batch {
    final List<Entry> entries;
    final Runnable done;
    byte @Nullable [] body;

    Batch(List<Entry> entries, Runnable done) {
      this.entries = entries;
      this.done = done;
    }

    byte[] body() {
      if (body == null) {
        int size = 2;
        for (Entry e : entries) {
          size += e.json.length + 1;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write('[');
        for (int i = 0; i < entries.size(); i++) {
          if (i > 0) {
            out.write(',');
          }
          out.writeBytes(entries.get(i).json);
        }
        out.write(']');
        body = out.toByteArray();
      }
      return body;
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the handler catches its own failures and retries
  private void send(Batch b, int attempt) {
    if (abandoned) {
      b.done.run();
      return;
    }
    http.postJson("/v1/events", b.body())
        .whenComplete(
            (r, t) -> {
              try {
                handle(b, attempt, r, t);
              } catch (RuntimeException unexpected) {
                retryLater(b, attempt, null, "unexpected answer: " + unexpected);
              }
            });
  }

  private void handle(Batch b, int attempt, HttpResponse<byte[]> r, Throwable t) {
    if (t != null) {
      Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
      cb.attempt(false, cause.toString());
      retryLater(b, attempt, null, cause.toString());
      return;
    }
    int status = r.statusCode();
    switch (status) {
      case 200, 207, 422 -> settle(b, attempt, r);
      case 408, 429, 500, 502, 503, 504 -> {
        String detail = "HTTP " + status + " " + problemDetail(r);
        cb.attempt(status != 503 && status != 502 && status != 504, detail);
        retryLater(b, attempt, Http.retryAfter(r), detail);
      }
      case 413 -> {
        cb.attempt(true, null);
        split(b, status, r);
      }
      case 403 -> {
        cb.attempt(true, null);
        List<EventError> errors = List.of(new EventError("/source", problemDetail(r)));
        for (Entry e : b.entries) {
          cb.failed(e, new RejectedEventException(e.id, status, errors));
        }
        b.done.run();
      }
      default -> {
        String detail = "HTTP " + status + " " + problemDetail(r);
        cb.attempt(true, detail);
        for (Entry e : b.entries) {
          cb.failed(
              e,
              new VellumException(
                  "event " + e.id + " not delivered: " + detail, status, false, null));
        }
        b.done.run();
      }
    }
  }

  private void settle(Batch b, int attempt, HttpResponse<byte[]> r) {
    JsonNode results;
    try {
      results = AuditEvent.JSON.readTree(r.body()).path("results");
    } catch (IOException e) {
      results = null;
    }
    if (results == null || !results.isArray() || results.size() != b.entries.size()) {
      // the events may be stored; resending with the same ids settles it either way
      cb.attempt(true, "HTTP " + r.statusCode() + " without one result per event");
      retryLater(b, attempt, null, "HTTP " + r.statusCode() + " without one result per event");
      return;
    }
    cb.attempt(true, null);
    int accepted = 0;
    int duplicates = 0;
    for (JsonNode res : results) {
      Entry e = b.entries.get(res.path("index").asInt());
      String st = res.path("status").asText();
      if (st.equals("accepted") || st.equals("duplicate")) {
        boolean dup = st.equals("duplicate");
        if (dup) {
          duplicates++;
        } else {
          accepted++;
        }
        cb.delivered(
            e,
            new Receipt(
                res.path("id").asText(e.id),
                res.path("seq").asLong(),
                res.path("leaf_hash").asText(),
                dup ? Receipt.Status.DUPLICATE : Receipt.Status.ACCEPTED));
      } else {
        List<EventError> errors = new ArrayList<>();
        for (JsonNode err : res.path("errors")) {
          errors.add(new EventError(err.path("pointer").asText(), err.path("detail").asText()));
        }
        cb.failed(e, new RejectedEventException(e.id, r.statusCode(), errors));
      }
    }
    cb.answered(accepted, duplicates);
    b.done.run();
  }

  /** A body over the server's byte or count limit: send each half on its own. */
  private void split(Batch b, int status, HttpResponse<byte[]> r) {
    if (b.entries.size() == 1) {
      Entry e = b.entries.get(0);
      cb.failed(
          e,
          new RejectedEventException(e.id, status, List.of(new EventError("", problemDetail(r)))));
      b.done.run();
      return;
    }
    int mid = b.entries.size() / 2;
    AtomicInteger left = new AtomicInteger(2);
    Runnable halfDone =
        () -> {
          if (left.decrementAndGet() == 0) {
            b.done.run();
          }
        };
    send(new Batch(new ArrayList<>(b.entries.subList(0, mid)), halfDone), 1);
    send(new Batch(new ArrayList<>(b.entries.subList(mid, b.entries.size())), halfDone), 1);
  }

  @SuppressWarnings("FutureReturnValueIgnored") // send() handles its own failures; none waits
  private void retryLater(Batch b, int attempt, @Nullable Duration retryAfter, String reason) {
    if (abandoned) {
      b.done.run();
      return;
    }
    Duration delay = backoff.delay(attempt, retryAfter);
    cb.retrying(attempt, b.entries.size(), delay, reason);
    try {
      timer.schedule(() -> send(b, attempt + 1), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      b.done.run();
    }
  }

  private static String problemDetail(HttpResponse<byte[]> r) {
    try {
      JsonNode p = AuditEvent.JSON.readTree(r.body());
      String type = p.path("type").asText("");
      String detail = p.path("detail").asText("");
      return (type.isEmpty() ? "" : "(" + type.substring(type.lastIndexOf('/') + 1) + ") ")
          + detail;
    } catch (IOException | RuntimeException notJson) {
      return "";
    }
  }
}
