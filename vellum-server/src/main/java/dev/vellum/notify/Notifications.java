package dev.vellum.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.config.ConfigException;
import dev.vellum.config.VellumConfig;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.RecordStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * The notification capability of a node: the channels and deliveries the API manages, the feed
 * consumer that creates deliveries from alert events, and the sender. Built once by the node;
 * {@link #start} starts sending, {@link #close} stops after the sends in flight.
 */
public final class Notifications implements AutoCloseable {
  /** The most pending deliveries the gauge counts; beyond it the gauge reads this number. */
  static final int PENDING_GAUGE_CAP = 10_000;

  private final Channels channels;
  private final Deliveries deliveries;
  private final AlertFollower follower;
  private final Sender sender;
  private final HttpPoster poster;
  private final ScheduledExecutorService timer;

  private Notifications(
      VellumConfig.Notify cfg,
      RecordStore records,
      ObjectMapper json,
      Clock clock,
      MeterRegistry metrics) {
    AddressGuard guard;
    try {
      guard = new AddressGuard(cfg.allow());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("setting notify.allow = " + cfg.allow() + ": " + e.getMessage());
    }
    VellumConfig.Smtp smtp = cfg.smtp();
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vellum-notify-deadline");
              t.setDaemon(true);
              return t;
            });
    this.poster =
        new HttpPoster(
            guard,
            cfg.connectTimeout(),
            cfg.requestTimeout(),
            cfg.workers(),
            cfg.maxPerChannel(),
            timer);
    Mailer mailer =
        smtp.host() == null
            ? null
            : new Mailer(smtp, password(smtp), cfg.connectTimeout(), cfg.requestTimeout());
    this.channels =
        new Channels(records, json, guard, cfg.maxChannelsPerTenant(), smtp.host() != null);
    Runnable[] wake = {() -> {}};
    this.deliveries = new Deliveries(records, json, cfg.retryFor(), () -> wake[0].run());
    // an attempt can take the connect, the whole exchange, and the SMTP write on top: the claim
    // outlives all of them, so it never expires under a send that is still running
    Duration claim =
        cfg.connectTimeout().plus(cfg.requestTimeout().multipliedBy(2)).plusSeconds(30);
    this.sender =
        new Sender(
            records,
            channels,
            deliveries,
            poster,
            mailer,
            json,
            clock,
            new Backoff(cfg.firstBackoff(), cfg.maxBackoff()),
            cfg.pollInterval(),
            claim,
            cfg.workers(),
            cfg.maxPerChannel(),
            metrics);
    wake[0] = sender::wake;
    this.follower = new AlertFollower(records, channels, json, clock, cfg.retryFor(), sender::wake);
    Gauge.builder(
            "vellum.notify.deliveries.pending",
            records,
            r -> r.due(Deliveries.KIND, "pending", Long.MAX_VALUE, PENDING_GAUGE_CAP).size())
        .description("deliveries waiting for an attempt or a retry, all tenants (capped at 10000)")
        .register(metrics);
  }

  public static Notifications create(
      VellumConfig.Notify cfg,
      RecordStore records,
      ObjectMapper json,
      Clock clock,
      MeterRegistry metrics) {
    return new Notifications(cfg, records, json, clock, metrics);
  }

  private static @Nullable String password(VellumConfig.Smtp smtp) {
    Path file = smtp.passwordFile();
    if (file == null) {
      return smtp.password();
    }
    try {
      List<String> lines = Files.readAllLines(file);
      return lines.isEmpty() ? "" : lines.get(0).strip();
    } catch (IOException e) {
      throw new ConfigException(
          "setting notify.smtp.password_file = " + file + ": cannot read it: " + e.getMessage());
    }
  }

  public Channels channels() {
    return channels;
  }

  public Deliveries deliveries() {
    return deliveries;
  }

  /** The feed consumer to follow: creates deliveries from alert events. */
  public FeedConsumer follower() {
    return follower;
  }

  public void start() {
    sender.start();
  }

  @Override
  public void close() throws IOException {
    sender.close();
    timer.shutdownNow();
    poster.close();
  }
}
