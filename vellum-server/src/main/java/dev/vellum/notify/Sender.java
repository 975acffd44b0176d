package dev.vellum.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.ingest.Times;
import dev.vellum.store.RecordStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due deliveries. One loop thread reads pending deliveries whose due time has come, claims
 * each with a compare-and-set that moves its due time past the longest an attempt can take (so a
 * second node, or this loop's next pass, does not send the same attempt), and hands it to a bounded
 * pool: at most {@code workers} sends in flight, at most {@code maxPerChannel} to one channel. The
 * outcome is written with a compare-and-set on the claimed version.
 *
 * <p>Delivery is at least once: a node that dies after the receiver got the request but before the
 * outcome was written leaves the claim to expire, and the delivery is sent again under the same id.
 */
final class Sender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sender.class);

  /** What an attempt came to. */
  record Outcome(String kind, int status, String detail, @Nullable Duration retryAfter) {
    static Outcome delivered(int status) {
      return new Outcome("delivered", status, "", null);
    }

    static Outcome permanent(int status, String detail) {
      return new Outcome("permanent", status, detail, null);
    }

    static Outcome retry(int status, String detail, @Nullable Duration retryAfter) {
      return new Outcome("retry", status, detail, retryAfter);
    }
  }

  private final RecordStore records;
  private final Channels channels;
  private final Deliveries deliveries;
  private final Payloads payloads;
  private final HttpPoster poster;
  private final @Nullable Mailer mailer;
  private final ObjectMapper json;
  private final Clock clock;
  private final Backoff backoff;
  private final Duration poll;
  private final Duration claim;
  private final int maxPerChannel;
  private final Semaphore permits;
  private final Map<String, Integer> perChannel = new ConcurrentHashMap<>();
  private final ExecutorService pool;
  private final Thread loop;
  private final Object signal = new Object();
  private final Map<String, Counter> outcomes = new LinkedHashMap<>();
  private volatile boolean running = true;
  private boolean woken;

  Sender(
      RecordStore records,
      Channels channels,
      Deliveries deliveries,
      HttpPoster poster,
      @Nullable Mailer mailer,
      ObjectMapper json,
      Clock clock,
      Backoff backoff,
      Duration poll,
      Duration claim,
      int workers,
      int maxPerChannel,
      MeterRegistry metrics) {
    this.records = records;
    this.channels = channels;
    this.deliveries = deliveries;
    this.payloads = new Payloads(json);
    this.poster = poster;
    this.mailer = mailer;
    this.json = json;
    this.clock = clock;
    this.backoff = backoff;
    this.poll = poll;
    this.claim = claim;
    this.maxPerChannel = maxPerChannel;
    this.permits = new Semaphore(workers);
    this.pool =
        Executors.newFixedThreadPool(
            workers,
            r -> {
              Thread t = new Thread(r, "vellum-notify-send");
              t.setDaemon(true);
              return t;
            });
    for (String o : List.of("delivered", "retried", "dead")) {
      outcomes.put(
          o,
          Counter.builder("vellum.notify.deliveries")
              .description("delivery attempts by outcome (dead: permanent failure or retries over)")
              .tag("outcome", o)
              .register(metrics));
    }
    this.loop = new Thread(this::run, "vellum-notify-sender");
    loop.setDaemon(true);
  }

  void start() {
    loop.start();
  }

  /** Looks for due deliveries now instead of at the next poll. */
  void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  private void run() {
    while (running) {
      try {
        pass();
      } catch (RuntimeException e) {
        // the database may be briefly unavailable; the next pass tries again
        LOG.warn("notification sender pass failed: {}", e.toString());
      }
      synchronized (signal) {
        if (!woken && running) {
          try {
            signal.wait(poll.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        woken = false;
      }
    }
  }

  private void pass() {
    int free = permits.availablePermits();
    if (free == 0) {
      return;
    }
    long now = Times.micros(clock.instant());
    // read past the free slots: the earliest due may all be for one channel at its bound, and the
    // others must not wait behind it (head-of-line blocking across channels)
    for (RecordStore.Entry e :
        records.due(Deliveries.KIND, "pending", now, Math.min(500, free * 4 + 100))) {
      String channelKey = e.tenant() + "\n" + deliveries.read(e.body()).path("channel_id").asText();
      if (!acquireChannel(channelKey)) {
        continue;
      }
      if (!permits.tryAcquire()) {
        releaseChannel(channelKey);
        return;
      }
      RecordStore.Entry claimed = e.withStatus("pending", now + claim.toNanos() / 1000);
      long version = records.put(claimed, e.version());
      if (version < 0) {
        permits.release();
        releaseChannel(channelKey);
        continue;
      }
      pool.execute(
          () -> {
            try {
              attempt(claimed, version);
            } catch (RuntimeException ex) {
              LOG.warn("delivery {} attempt failed to record: {}", claimed.id(), ex.toString());
            } finally {
              permits.release();
              releaseChannel(channelKey);
            }
          });
    }
  }

  private boolean acquireChannel(String key) {
    boolean[] got = {false};
    perChannel.compute(
        key,
        (k, n) -> {
          int current = n == null ? 0 : n;
          if (current >= maxPerChannel) {
            return current;
          }
          got[0] = true;
          return current + 1;
        });
    return got[0];
  }

  private void releaseChannel(String key) {
    perChannel.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
  }

  private void attempt(RecordStore.Entry claimed, long version) {
    ObjectNode d = deliveries.read(claimed.body());
    int attempts = d.path("attempts").asInt(0) + 1;
    Optional<ObjectNode> channel = channels.stored(claimed.tenant(), d.path("channel_id").asText());
    Outcome o =
        channel.isEmpty()
            ? Outcome.permanent(
                0, "no channel " + d.path("channel_id").asText() + " in this tenant")
            : send(channel.get(), d, attempts);
    long now = Times.micros(clock.instant());
    d.put("attempts", attempts);
    d.put("last_attempt_at", Times.formatMicros(now));
    d.put("last_status", o.status());
    String status;
    long due = 0;
    if (o.kind().equals("delivered")) {
      status = "delivered";
      d.put("delivered_at", Times.formatMicros(now));
      d.remove("last_error");
    } else {
      d.put("last_error", clip(o.detail()));
      Duration wait = backoff.next(attempts, o.retryAfter());
      long next = now + wait.toNanos() / 1000;
      if (o.kind().equals("permanent")) {
        status = "dead";
        d.put("dead_reason", "permanent failure: " + clip(o.detail()));
      } else if (next > d.path("retry_until_us").asLong(Long.MAX_VALUE)) {
        status = "dead";
        d.put("dead_reason", "retries exhausted after " + attempts + " attempts");
      } else {
        status = "pending";
        due = next;
      }
    }
    RecordStore.Entry result = claimed.withBody(deliveries.write(d), now).withStatus(status, due);
    if (records.put(result, version) < 0) {
      LOG.warn(
          "delivery {} changed while it was being sent; its outcome was not recorded",
          claimed.id());
      return;
    }
    Counter counter = outcomes.get(status.equals("pending") ? "retried" : status);
    if (counter != null) {
      counter.increment();
    }
  }

  /** One attempt over the channel's transport; never throws for a failure of the target. */
  Outcome send(ObjectNode channel, ObjectNode d, int attempt) {
    String type = channel.path("type").asText();
    try {
      if (type.equals("email")) {
        return mail(channel, d);
      }
      ObjectNode payload;
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Vellum-Delivery-Id", d.path("id").asText());
      headers.put("Vellum-Event-Type", d.path("event_type").asText());
      headers.put("Vellum-Attempt", Integer.toString(attempt));
      if (type.equals("slack")) {
        payload = payloads.slack(d);
      } else if (type.equals("teams")) {
        payload = payloads.teams(d, channel.path("card").asText("adaptive"));
      } else {
        payload = payloads.webhook(d);
      }
      byte[] body = json.writeValueAsBytes(payload);
      if (type.equals("webhook")) {
        long t = clock.instant().getEpochSecond();
        headers.put(
            WebhookSignature.HEADER,
            WebhookSignature.header(channel.path("secret").asText(), t, body));
      }
      return classify(poster.post(URI.create(channel.path("url").asText()), headers, body));
    } catch (AddressGuard.Refused e) {
      return Outcome.permanent(0, "address guard: " + e.getMessage());
    } catch (IOException e) {
      return Outcome.retry(0, "no answer: " + e, null);
    }
  }

  private Outcome mail(ObjectNode channel, ObjectNode d) {
    if (mailer == null) {
      return Outcome.permanent(0, "no SMTP server is configured (notify.smtp.host)");
    }
    List<String> to = new ArrayList<>();
    for (JsonNode a : channel.path("to")) {
      to.add(a.asText());
    }
    try {
      mailer.send(
          to, payloads.headline(d), payloads.text(d), payloads.html(d), d.path("id").asText());
      return Outcome.delivered(250);
    } catch (Mailer.Rejected e) {
      return Outcome.permanent(550, String.valueOf(e.getMessage()));
    } catch (MessagingException e) {
      return Outcome.retry(0, "SMTP: " + e, null);
    }
  }

  /** 2xx delivered; 408, 429 and 5xx retried; any other answer (4xx, a redirect) is final. */
  static Outcome classify(HttpPoster.Answer a) {
    int s = a.status();
    if (s >= 200 && s < 300) {
      return Outcome.delivered(s);
    }
    String detail = "HTTP " + s + (a.body().isEmpty() ? "" : ": " + a.body());
    if (s == 408 || s == 429 || s >= 500) {
      return Outcome.retry(s, detail, a.retryAfter());
    }
    if (s >= 300 && s < 400) {
      return Outcome.permanent(s, "HTTP " + s + ": redirects are not followed; use the final URL");
    }
    return Outcome.permanent(s, detail);
  }

  private static String clip(String s) {
    String t = new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    return t.length() <= 500 ? t : t.substring(0, 500) + "…";
  }

  /** Stops claiming, lets the sends in flight finish (each is bounded in time), then stops. */
  @Override
  public void close() {
    running = false;
    wake();
    try {
      loop.join(10_000);
      pool.shutdown();
      if (!pool.awaitTermination(claim.toMillis(), TimeUnit.MILLISECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.shutdownNow();
    }
  }
}
