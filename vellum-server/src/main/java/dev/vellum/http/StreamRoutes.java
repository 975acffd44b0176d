package dev.vellum.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.feed.Feed;
import dev.vellum.ingest.IngestService;
import dev.vellum.query.EventJson;
import dev.vellum.query.FilterParser;
import dev.vellum.search.SearchQuery;
import dev.vellum.store.EventStore;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.StoredEvent;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /v1/events/stream?<filters>}: the live tail, as Server-Sent Events. Each matching
 * event of the caller's tenant is sent as it is committed, with its feed position as the SSE {@code
 * id}; a client that reconnects with {@code Last-Event-ID} first gets every matching event
 * committed after that position (read from the store), then the live ones, with nothing missed or
 * repeated.
 *
 * <p>Design: the stream subscribes to the {@link Feed} before it reads anything, so no commit falls
 * between the catch-up read and the live queue; positions at or below what was already sent are
 * skipped. The subscription's queue is bounded: a reader slower than the writer loses its queue
 * ({@link Feed.Subscription#overflowed()}), and the stream then re-subscribes and catches up from
 * the store by itself, so a slow client costs store reads, never writer time. Every {@value
 * #PING_MILLIS} ms without a matching event a {@code ping} event carries the current position,
 * which keeps the connection inside the idle timeout, finds clients that went away, and lets a
 * reconnect resume without rescanning. Opening a stream is recorded as an AUDIT_LOG_ACCESSED event
 * ({@code resource} {@code events.stream}).
 */
final class StreamRoutes {
  static final long PING_MILLIS = 15_000;
  static final int QUEUE_CAPACITY = 10_000;
  private static final int CATCH_UP_PAGE = 500;

  /** Search parameters that mean nothing for events that have not happened yet. */
  private static final Set<String> NOT_LIVE = Set.of("from", "to", "order", "limit", "cursor");

  private final Feed feed;
  private final EventStore store;
  private final IngestService ingest;
  private final ObjectMapper json;
  private volatile boolean stopping;

  StreamRoutes(Feed feed, EventStore store, IngestService ingest, ObjectMapper json) {
    this.feed = feed;
    this.store = store;
    this.ingest = ingest;
    this.json = json;
  }

  void register(RoutesConfig routes) {
    routes.get("/v1/events/stream", this::stream);
  }

  /** Ends open streams within a second, so that a graceful stop need not wait for clients. */
  void stop() {
    stopping = true;
  }

  private void stream(Context ctx) throws IOException {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    Map<String, List<String>> params = ctx.queryParamMap();
    for (String name : params.keySet()) {
      if (NOT_LIVE.contains(name)) {
        throw ProblemException.badParameter(
            name, "not a live-tail parameter: the tail sends new events as they are committed");
      }
    }
    SearchQuery q;
    try {
      q = FilterParser.parse(p.tenant(), params);
    } catch (FilterParser.BadParameter e) {
      throw ProblemException.badParameter(
          e.name(), Objects.requireNonNull(e.getMessage(), "a BadParameter always says why"));
    }
    Long resumeFrom = lastEventId(ctx.header("Last-Event-ID"));
    LiveFilter filter = new LiveFilter(q);
    Feed.Subscription sub = feed.subscribe(p.tenant(), QUEUE_CAPACITY);
    try {
      long position = resumeFrom != null ? resumeFrom : feed.lastPosition();
      ingest.recordAccess(p, "events.stream", FilterParser.describe(json, params), 0);
      ctx.status(200);
      ctx.contentType("text/event-stream; charset=utf-8");
      ctx.header("Cache-Control", "no-store");
      ctx.header("X-Accel-Buffering", "no");
      OutputStream out = ctx.res().getOutputStream();
      send(out, "retry: 2000\n\n");
      send(out, "event: ready\nid: " + position + "\ndata: {\"position\":" + position + "}\n\n");
      if (resumeFrom != null) {
        position = catchUp(out, filter, position);
      }
      long lastWrite = System.nanoTime();
      while (!stopping) {
        FeedEvent e = sub.poll(1_000);
        if (e == null) {
          if (sub.overflowed()) {
            sub.close();
            sub = feed.subscribe(p.tenant(), QUEUE_CAPACITY);
            position = catchUp(out, filter, position);
            lastWrite = System.nanoTime();
          } else if (System.nanoTime() - lastWrite >= PING_MILLIS * 1_000_000) {
            send(out, "event: ping\nid: " + position + "\ndata: {}\n\n");
            lastWrite = System.nanoTime();
          }
          continue;
        }
        if (e.position() <= position) {
          continue;
        }
        position = e.position();
        if (!e.restored() && filter.matches(e.event())) {
          send(out, event(e));
          lastWrite = System.nanoTime();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException clientGone) {
      // the client closed the connection: nothing more to do
    } finally {
      sub.close();
    }
  }

  /** Sends every matching committed event after {@code position}; returns the last position. */
  private long catchUp(OutputStream out, LiveFilter filter, long position) throws IOException {
    // restored events (back from the archive) are not new: the live tail leaves them out
    while (!stopping) {
      List<FeedEvent> page = store.after(position, CATCH_UP_PAGE);
      for (FeedEvent e : page) {
        position = e.position();
        if (!e.restored() && filter.matches(e.event())) {
          send(out, event(e));
        }
      }
      if (page.size() < CATCH_UP_PAGE) {
        break;
      }
    }
    return position;
  }

  private static String event(FeedEvent fe) {
    NewEvent e = fe.event();
    String body =
        EventJson.render(
            new StoredEvent(e.seq(), e.id(), e.occurredAtMicros(), e.leafHash(), e.body()));
    return "id: " + fe.position() + "\ndata: " + body + "\n\n";
  }

  private static void send(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static @Nullable Long lastEventId(@Nullable String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    try {
      long v = Long.parseLong(header.trim());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw ProblemException.badRequest(
          "Last-Event-ID must be a feed position (a non-negative"
              + " integer from an earlier event's id), got "
              + header.length()
              + " characters",
          null);
    }
  }
}
